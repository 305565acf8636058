import type { Env } from "./env";

/**
 * A category for a transaction recorded without one: the user's rules first (description contains →
 * category, longest match wins), then the AI worker's model, else `other`.
 */
export async function autoCategory(env: Env, userId: string, item: { description: string; amount: number; counterparty?: string | null }) {
  const rule = await env.DB.prepare(
    "SELECT category FROM category_rules WHERE user_id = ? AND instr(?, contains) > 0 ORDER BY length(contains) DESC LIMIT 1",
  )
    .bind(userId, item.description.toLowerCase())
    .first<{ category: string }>();
  if (rule) return rule.category;
  if (!env.AI_SERVICE) return "other";
  try {
    const res = await env.AI_SERVICE.fetch("https://ai.internal/internal/categorize", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ transactions: [{ description: item.description, amount: item.amount, counterparty: item.counterparty ?? undefined }] }),
    });
    if (res.ok) return ((await res.json()) as { data: { category: string }[] }).data[0]?.category ?? "other";
  } catch {
    // the model is an optimisation: never fail a money movement because of it
  }
  return "other";
}
