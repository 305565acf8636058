/**
 * The fixed category codes of the taxonomy (never renamed: stored entries and clients use them); users
 * may add their own under one of these parents. The order is the AI categoriser's output order: never
 * reorder, only append (and retrain).
 */
export const CATEGORY_CODES = [
  "income",
  "housing",
  "utilities",
  "groceries",
  "dining",
  "transport",
  "travel",
  "shopping",
  "entertainment",
  "subscriptions",
  "health",
  "insurance",
  "education",
  "taxes",
  "fees",
  "transfers",
  "savings",
  "charity",
  "other",
] as const;
export type CategoryCode = (typeof CATEGORY_CODES)[number];
export const isCategoryCode = (c: string): c is CategoryCode => (CATEGORY_CODES as readonly string[]).includes(c);
