import { defineRoute, jsonResponse, minorUnitExponent, z } from "#core";
import { recommend, type Recommendation } from "../domain/recommendations";
import type { AiApp } from "../env";
import { historyOf } from "./anomalies";
import { today } from "./shared";

const recommendationsSchema = z
  .object({
    data: z.array(
      z.object({
        type: z.enum(["budget", "subscription", "savings", "overspending", "tax"]),
        title: z.string().openapi({ example: "Subscription: NETFLIX (monthly)" }),
        detail: z.string(),
        currency: z.string().openapi({ example: "EUR", description: "Currency of estimated_monthly_impact" }),
        estimated_monthly_impact: z.number().int().openapi({ description: "Minor units per month" }),
        evidence: z.array(z.string()).openapi({ description: "Transaction ids the recommendation rests on" }),
      }),
    ),
  })
  .openapi("Recommendations");

export const recommendationsRoute = defineRoute({
  method: "get",
  path: "/v1/ai/recommendations",
  tags: ["ai"],
  summary: "Recurring charges, budget suggestions, overspending, savings potential and tax hints",
  description:
    "From all your transactions (per currency) and monthly budgets: recurring charges detected by period and amount, budget suggestions from spending history, " +
    "overspending against budgets, savings potential, and a tax hint for your tax residence. Each has evidence ids and an estimated monthly impact in minor units.",
  scope: "ai:read",
  responses: { 200: jsonResponse(recommendationsSchema, "Recommendations, most valuable first") },
});

export function registerRecommendations(app: AiApp) {
  app.openapi(recommendationsRoute, async (c) => {
    const user = c.get("identity").sub;
    const [txns, budgets, profile] = await Promise.all([
      historyOf(c.env.DB, "user_id", user),
      c.env.DB.prepare("SELECT category, amount, currency FROM budgets WHERE user_id = ? AND period = 'month'")
        .bind(user)
        .all<{ category: string; amount: number; currency: string }>(),
      c.env.DB.prepare("SELECT tax_residence FROM users WHERE id = ?").bind(user).first<{ tax_residence: string | null }>(),
    ]);
    const currencies = [...new Set([...txns.map((t) => t.currency), ...budgets.results.map((b) => b.currency)])];
    const data: (Recommendation & { currency: string })[] = [];
    for (const currency of currencies) {
      const mine = txns.filter((t) => t.currency === currency);
      const recs = recommend(mine, {
        asOf: today(),
        budgets: budgets.results.filter((b) => b.currency === currency),
        taxResidence: profile?.tax_residence ?? undefined,
        decimals: minorUnitExponent(currency),
      });
      data.push(...recs.map((r) => ({ ...r, currency })));
    }
    data.sort((a, b) => Math.abs(b.estimated_monthly_impact) - Math.abs(a.estimated_monthly_impact));
    return c.json({ data }, 200);
  });
}
