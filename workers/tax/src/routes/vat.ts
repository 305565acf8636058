import { defineRoute, jsonBody, jsonResponse, z } from "#core";
import { VAT_CLASSES, computeVat, vatRates } from "../domain";
import type { TaxApp } from "../env";
import { engineFailure, taxAmount } from "./schemas";

const vatRequestSchema = z
  .strictObject({
    country: z.string().openapi({ example: "FR", description: "ISO 3166-1 alpha-2: FR, DE, GB and every EU member state" }),
    rate: z.enum(VAT_CLASSES).openapi({ example: "standard" }),
    amount: taxAmount.openapi({ example: 10_000, description: "Integer amount in minor units" }),
    amount_includes_vat: z.boolean().openapi({ description: "true: `amount` is gross (VAT included); false: net" }),
    date: z.string().optional().openapi({ example: "2025-06-30", description: "Date of supply YYYY-MM-DD; default today (UTC)" }),
  })
  .openapi("VatRequest");

const vatResultSchema = z
  .object({
    net: z.number().int().openapi({ example: 10_000 }),
    vat: z.number().int().openapi({ example: 2_000 }),
    gross: z.number().int().openapi({ example: 12_000 }),
    rate_bps: z.number().int().openapi({ example: 2_000, description: "Rate in basis points (2000 = 20 %)" }),
  })
  .openapi("VatResult");

export const vatRoute = defineRoute({
  method: "post",
  path: "/v1/tax/vat",
  tags: ["tax"],
  summary: "Net ↔ gross VAT for a country, rate class and date, rounded half-up to the minor unit",
  scope: "tax:read",
  request: jsonBody(vatRequestSchema, "The amount and the rate class"),
  responses: { 200: jsonResponse(vatResultSchema, "net + vat = gross, always") },
});

const vatRateSchema = z
  .object({
    country: z.string().openapi({ example: "FR" }),
    name: z.string().openapi({ example: "France" }),
    rate: z.enum(VAT_CLASSES),
    rate_bps: z.number().int().openapi({ example: 2_000 }),
    from: z.string().openapi({ example: "2014-01-01" }),
    to: z.string().nullable().openapi({ description: "Last day in force; null if current" }),
    source: z.string(),
  })
  .openapi("VatRate");

export const vatRatesRoute = defineRoute({
  method: "get",
  path: "/v1/tax/vat/rates",
  tags: ["tax"],
  summary: "VAT rates with their validity periods and legal sources (all, or those in force on `date`)",
  scope: "tax:read",
  request: {
    query: z.strictObject({
      date: z.iso.date().optional().openapi({ example: "2025-06-30", description: "Only the rates in force on this date" }),
      country: z.string().optional().openapi({ example: "FR" }),
    }),
  },
  responses: { 200: jsonResponse(z.object({ data: z.array(vatRateSchema) }), "The rates") },
});

export function registerVat(app: TaxApp) {
  app.openapi(vatRoute, (c) => {
    const result = computeVat(c.req.valid("json"));
    if (!result.ok) throw engineFailure(result.errors);
    return c.json(result.value, 200);
  });
  app.openapi(vatRatesRoute, (c) => {
    const { date, country } = c.req.valid("query");
    const rows = vatRates(date).filter((r) => !country || r.country === country.toUpperCase());
    return c.json({ data: rows }, 200);
  });
}
