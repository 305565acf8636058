import { isCategoryCode } from "./taxonomy";

/** A category the caller may use: a taxonomy code, or the name of one of their own categories in D1. */
export async function isKnownCategory(db: D1Database, userId: string, category: string): Promise<boolean> {
  if (isCategoryCode(category)) return true;
  return (await db.prepare("SELECT 1 AS ok FROM categories WHERE user_id = ? AND name = ?").bind(userId, category).first()) !== null;
}

/** A user's rule: a description containing `contains` (stored lower case) gets `category`. */
export interface CategoryRule {
  contains: string;
  category: string;
}

/**
 * A user's rules, longest `contains` first, so the first match is the longest (equal lengths: the
 * older rule). With `taxonomy`, a rule naming one of the user's own categories answers with that
 * category's taxonomy parent (for answers limited to the taxonomy, as the AI categoriser's are).
 */
export async function userRules(db: D1Database, userId: string, opts: { taxonomy?: boolean } = {}): Promise<CategoryRule[]> {
  const category = opts.taxonomy
    ? "COALESCE((SELECT k.parent FROM categories k WHERE k.user_id = r.user_id AND k.name = r.category), r.category)"
    : "r.category";
  const { results } = await db
    .prepare(`SELECT r.contains, ${category} AS category FROM category_rules r WHERE r.user_id = ? ORDER BY length(r.contains) DESC, r.id`)
    .bind(userId)
    .all<CategoryRule>();
  return results;
}

/** The category of the longest rule whose `contains` is in the description (rules as `userRules` orders them). */
export function ruleCategory(rules: readonly CategoryRule[], description: string): string | undefined {
  const lower = description.toLowerCase();
  return rules.find((r) => lower.includes(r.contains))?.category;
}
