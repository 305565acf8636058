import type { Env } from "./env";

export interface Uncategorised {
  description: string;
  amount: number;
  counterparty?: string | null;
}

/**
 * The AI worker's categories for items, in order; `other` for any it cannot answer. The model is an
 * optimisation: a failure never fails the money movement that asked.
 */
export async function modelCategories(env: Env, items: Uncategorised[]): Promise<string[]> {
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

/**
 * A category for a transaction recorded without one: the user's rules first (description contains →
 * category, longest match wins), then the AI worker's model, else `other`.
 */
export async function autoCategory(env: Env, userId: string, item: Uncategorised) {
  const rule = await env.DB.prepare(
    "SELECT category FROM category_rules WHERE user_id = ? AND instr(?, contains) > 0 ORDER BY length(contains) DESC LIMIT 1",
  )
    .bind(userId, item.description.toLowerCase())
    .first<{ category: string }>();
  return rule?.category ?? (await modelCategories(env, [item]))[0];
}
