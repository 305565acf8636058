export interface Uncategorised {
  description: string;
  amount: number;
  counterparty?: string | null;
}

export interface CategoryRule {
  contains: string; // lower case
  category: string;
}

/** The user's rule for a description: the longest `contains` found in it (rules are given longest first). */
export const ruleCategory = (rules: readonly CategoryRule[], description: string): string | undefined => {
  const lower = description.toLowerCase();
  return rules.find((r) => lower.includes(r.contains))?.category;
};

/** A user's rules, longest first (so the first match is the longest). */
export async function userRules(db: D1Database, userId: string): Promise<CategoryRule[]> {
  return (await db.prepare("SELECT contains, category FROM category_rules WHERE user_id = ? ORDER BY length(contains) DESC").bind(userId).all<CategoryRule>()).results;
}

/**
 * The AI worker's categories for items, in order; `other` for any it cannot answer. The model is an
 * optimisation: a failure never fails the money movement that asked.
 */
export async function modelCategories(env: { AI_SERVICE?: Fetcher }, items: Uncategorised[]): Promise<string[]> {
  let categories: string[] = [];
  if (env.AI_SERVICE && items.length)
    try {
      const res = await env.AI_SERVICE.fetch("https://ai.internal/internal/categorize", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ transactions: items.map((i) => ({ description: i.description, amount: i.amount, counterparty: i.counterparty ?? undefined })) }),
      });
      if (res.ok) categories = ((await res.json()) as { data: { category: string }[] }).data.map((d) => d.category);
    } catch {
      // fall back to `other`
    }
  return items.map((_, i) => categories[i] ?? "other");
}
