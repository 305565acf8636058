import { defineRoute, jsonBody, jsonResponse } from "#core";
import { computeIncomeTax } from "../domain";
import type { TaxApp } from "../env";
import { engineFailure, incomeTaxRequestSchema, incomeTaxResultSchema } from "./schemas";

export const incomeTaxRoute = defineRoute({
  method: "post",
  path: "/v1/tax/income-tax",
  tags: ["tax"],
  summary: "Income tax for one household and year (FR impôt sur le revenu, US federal)",
  description:
    "Pure computation from dated legal parameters; nothing is stored. Errors name the field: unknown jurisdiction or year, " +
    "a filing status of another jurisdiction, negative, fractional or too large amounts (> 10^13 minor units).",
  scope: "tax:read",
  request: jsonBody(incomeTaxRequestSchema, "The household and its income in minor units"),
  responses: { 200: jsonResponse(incomeTaxResultSchema, "The tax, its breakdown by bracket and the sources used") },
});

export function registerIncomeTax(app: TaxApp) {
  app.openapi(incomeTaxRoute, (c) => {
    const result = computeIncomeTax(c.req.valid("json"));
    if (!result.ok) throw engineFailure(result.errors);
    return c.json(result.value, 200);
  });
}
