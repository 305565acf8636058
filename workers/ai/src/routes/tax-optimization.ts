import { ApiError, MAX_AMOUNT, defineRoute, jsonBody, jsonResponse, rpcValue, z } from "#core";
import type { AiApp } from "../env";
import { candidates, frTaxAfterReduction } from "../tax/optimize";
import type { Ctx } from "./shared";

const amount = z
  .number()
  .int("must be an integer amount in minor units (cents)")
  .min(0, "must not be negative")
  .max(MAX_AMOUNT, "must not exceed 10^13 minor units");

// The income-tax request (the tax worker validates jurisdiction, year and statuses and names the field) plus `cash_available`.
const requestSchema = z
  .strictObject({
    jurisdiction: z.string().openapi({ example: "FR" }),
    income_year: z.number().int().openapi({ example: 2025 }),
    filing_status: z.string().openapi({ example: "single" }),
    dependents: z.number().int().min(0).max(20).optional().openapi({ example: 0 }),
    income: z
      .strictObject({ salaries: z.array(amount).optional(), taxable_income: amount.optional() })
      .openapi({ example: { salaries: [5_000_000] } }),
    cash_available: amount.optional().openapi({
      example: 500_000,
      description:
        "Most you can put into any one lever this year; without it every lever goes to its legal ceiling (US itemised gifts need it)",
    }),
  })
  .openapi("TaxOptimizationRequest");

const suggestionSchema = z.object({
  kind: z.string().openapi({ example: "fr_per_contribution" }),
  amount: z.number().int().openapi({ description: "Money to put in (contribution, gift, spending), minor units" }),
  tax_after: z
    .number()
    .int()
    .openapi({ description: "The tax with this suggestion alone, exactly as the income-tax engine computes it (see explanation)" }),
  tax_saving: z.number().int().openapi({ description: "baseline_tax − tax_after" }),
  net_cost: z.number().int().openapi({ description: "amount − tax_saving" }),
  explanation: z.string(),
  sources: z.array(z.string()).openapi({ description: "Laws and official pages for the ceilings used" }),
});

const responseSchema = z
  .object({
    baseline_tax: z.number().int().openapi({ description: "The income-tax endpoint's `tax` for the request as given" }),
    currency: z.string().openapi({ example: "EUR" }),
    suggestions: z.array(suggestionSchema),
  })
  .openapi("TaxOptimization");

export const taxOptimizationRoute = defineRoute({
  method: "post",
  path: "/v1/ai/tax-optimization",
  tags: ["ai"],
  summary: "Search the legal levers that lower your income tax, each evaluated by the tax engine",
  description:
    "FR: PER contributions (deduction ceiling), donations (75 % for aid to people in difficulty, 66 % otherwise), services à la personne (50 % credit). " +
    "US: traditional 401(k) and IRA contributions within the year's limits, cash gifts itemised when they exceed the standard deduction. " +
    "Each lever is evaluated alone against the baseline, within `cash_available`, ranked by tax_saving. Levers that change taxable income get `tax_after` from the income-tax engine; " +
    "reductions and credits the engine does not model get max(0, engine tax − reduction), rounded to the euro and 0 under the 61 € collection threshold (CGI art. 1657). Needs the `tax:read` scope as well (the engine is called on your behalf).",
  scope: "ai:read",
  request: jsonBody(requestSchema, "The income-tax request, plus cash_available"),
  responses: { 200: jsonResponse(responseSchema, "The baseline and the suggestions, largest saving first") },
});

/** The tax worker's RPC methods; it computes for the caller (and checks their tax:read scope). Its refusals are passed through. */
function taxEngine(c: Ctx) {
  if (!c.env.TAX) throw new ApiError("service_unavailable", "The tax engine is not bound to the ai worker.");
  return c.env.TAX;
}

export function registerTaxOptimization(app: AiApp) {
  app.openapi(taxOptimizationRoute, async (c) => {
    const { cash_available, ...req } = c.req.valid("json");
    const tax = taxEngine(c);
    const caller = c.get("identity");
    const base = rpcValue(await tax.incomeTax(req, caller));
    const found = candidates(req, base, cash_available);
    // Levers that change the engine's input are answered by the engine, all in one call; the others
    // are reductions or credits it does not model.
    const inputs = found.flatMap((cand) => ("input" in cand ? [cand.input] : []));
    const answers = inputs.length ? (await tax.incomeTaxMany(inputs, caller)).map(rpcValue) : [];
    let next = 0;
    const suggestions = found.map((cand) => {
      const tax_after = "input" in cand ? answers[next++]!.tax : frTaxAfterReduction(base.tax, cand.reduction);
      const tax_saving = base.tax - tax_after;
      return {
        kind: cand.kind,
        amount: cand.amount,
        tax_after,
        tax_saving,
        net_cost: cand.amount - tax_saving,
        explanation: cand.explanation,
        sources: cand.sources,
      };
    });
    const ranked = suggestions.filter((s) => s.tax_saving > 0).sort((a, b) => b.tax_saving - a.tax_saving || a.net_cost - b.net_cost);
    return c.json({ baseline_tax: base.tax, currency: base.currency, suggestions: ranked }, 200);
  });
}
