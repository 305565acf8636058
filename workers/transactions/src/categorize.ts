import { MAX_CATEGORIZE_LINES, type AiRpc, type RpcBinding } from "#core";

export interface Uncategorised {
  description: string;
  amount: number;
  counterparty?: string | null;
}

// The user's rules (longest `contains` wins) live in core, shared with the AI worker's categoriser.
export { ruleCategory, userRules, type CategoryRule } from "#core";

/**
 * The AI worker's categories for items, in order (AiRpc.categorize, at most MAX_CATEGORIZE_LINES a
 * call); `other` for any it cannot answer. The model is an optimisation: a failure never fails the
 * money movement that asked.
 */
export async function modelCategories(env: { AI_SERVICE?: RpcBinding<AiRpc> }, items: Uncategorised[]): Promise<string[]> {
  const categories: string[] = [];
  const ai = env.AI_SERVICE;
  if (ai)
    for (let i = 0; i < items.length; i += MAX_CATEGORIZE_LINES)
      try {
        const lines = items
          .slice(i, i + MAX_CATEGORIZE_LINES)
          .map((it) => ({ description: it.description, amount: it.amount, counterparty: it.counterparty ?? null }));
        (await ai.categorize(lines)).forEach((answer, j) => (categories[i + j] = answer.category));
      } catch {
        // fall back to `other`
      }
  return items.map((_, i) => categories[i] ?? "other");
}
