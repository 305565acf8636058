import { defineRoute, jsonResponse, z } from "#core";
import { listJurisdictions } from "../domain";
import type { TaxApp } from "../env";
import { FILING_STATUSES, jurisdictionSchema } from "./schemas";

export const jurisdictionsRoute = defineRoute({
  method: "get",
  path: "/v1/tax/jurisdictions",
  tags: ["tax"],
  summary: "Jurisdictions, their currency, the income years and filing statuses modelled",
  scope: "tax:read",
  responses: { 200: jsonResponse(z.array(jurisdictionSchema), "Every supported jurisdiction") },
});

export function registerJurisdictions(app: TaxApp) {
  app.openapi(jurisdictionsRoute, (c) =>
    c.json(
      listJurisdictions().map((j) => ({ ...j, filing_statuses: [...(FILING_STATUSES[j.code] ?? [])] })),
      200,
    ),
  );
}
