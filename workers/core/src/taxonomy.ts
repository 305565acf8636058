/** The fixed category codes of the taxonomy (never renamed: stored entries and clients use them); users may add their own under one of these parents. */
export const CATEGORY_CODES = [
  "income", "housing", "utilities", "groceries", "dining", "transport", "travel", "shopping", "entertainment",
  "subscriptions", "health", "insurance", "education", "taxes", "fees", "transfers", "savings", "charity", "other",
] as const;
export type CategoryCode = (typeof CATEGORY_CODES)[number];
export const isCategoryCode = (c: string): c is CategoryCode => (CATEGORY_CODES as readonly string[]).includes(c);

/** A category the caller may use: a taxonomy code, or the name of one of their own categories in D1. */
export async function isKnownCategory(db: D1Database, userId: string, category: string): Promise<boolean> {
  if (isCategoryCode(category)) return true;
  return (await db.prepare("SELECT 1 AS ok FROM categories WHERE user_id = ? AND name = ?").bind(userId, category).first()) !== null;
}
