import { and, asc, eq, gte, inArray, lt, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { entries } from "../../../../db/schema";
import { ApiError, countedEntries, defineRoute, exactJson, exactSum, jsonResponse, readExactSum, totalSchema, z } from "#core";
import { listJurisdictions } from "../domain";
import type { TaxApp } from "../env";
import { MAX_LISTED_ITEMS, REPORT_CATEGORIES, buildReport, type CategoryTotals, type DonationRow } from "../report";
import { FILING_STATUSES, JURISDICTION_CODES, incomeTaxResultSchema } from "./schemas";

const JURISDICTIONS = listJurisdictions();

const reportQuerySchema = z
  .strictObject({
    jurisdiction: z.enum(JURISDICTION_CODES).openapi({ example: "FR" }),
    income_year: z.coerce
      .number()
      .int()
      .openapi({ type: "integer", example: 2025, description: "Calendar year (1 January – 31 December)" }),
    filing_status: z.string().optional().openapi({ example: "single", description: "Default single; must exist in the jurisdiction" }),
    dependents: z.coerce.number().int().min(0).max(20).optional().openapi({ type: "integer", example: 0, description: "Default 0" }),
  })
  .superRefine((q, ctx) => {
    const j = JURISDICTIONS.find((x) => x.code === q.jurisdiction);
    if (!j) return;
    if (!j.income_years.includes(q.income_year))
      ctx.addIssue({ code: "custom", path: ["income_year"], message: `${j.code} supports income years ${j.income_years.join(", ")}` });
    const statuses = FILING_STATUSES[j.code] ?? [];
    if (q.filing_status !== undefined && !statuses.includes(q.filing_status))
      ctx.addIssue({ code: "custom", path: ["filing_status"], message: `${j.code} filing status must be one of ${statuses.join(", ")}` });
  });

const cents = (description: string) => z.number().int().openapi({ description });
const total = totalSchema;

const reportSchema = z
  .object({
    jurisdiction: z.string(),
    income_year: z.number().int(),
    currency: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    filing_status: z.string(),
    dependents: z.number().int(),
    income: z.object({
      total: total("Sum of the year's positive `income` transactions in the jurisdiction's currency"),
      transactions: z.number().int(),
      treated_as: z.literal("salaries"),
      negative_not_subtracted: total("Sum of negative `income` transactions (as a positive number), not subtracted"),
    }),
    deductible_items: z.array(
      z.object({
        transaction_id: z.string(),
        occurred_date: z.string(),
        description: z.string(),
        counterparty: z.string().nullable(),
        amount: cents("Amount given (positive)"),
        kind: z.literal("charitable_donation"),
        applied_to_estimate: z.boolean(),
      }),
    ),
    deductible_total: total("Sum of all `charity` outflows of the year"),
    deductible_items_listed_all: z
      .boolean()
      .openapi({ description: `false when more than ${MAX_LISTED_ITEMS} items exist (the total covers all)` }),
    taxes_paid: z.object({
      total: total("Sum of the `taxes` outflows"),
      transactions: z.number().int(),
      refunded: total("Sum of the `taxes` inflows (refunds)"),
    }),
    vat_paid: z.number().int().nullable().openapi({ description: "null: ledger entries do not record VAT (see notes)" }),
    estimate: incomeTaxResultSchema,
    excluded_other_currencies: z.array(z.object({ currency: z.string(), transactions: z.number().int() })),
    notes: z.array(z.string()).openapi({ description: "How the figures were obtained and what is not applied" }),
  })
  .openapi("TaxReport");

export const reportRoute = defineRoute({
  method: "get",
  path: "/v1/tax/report",
  tags: ["tax"],
  summary: "Tax report of the caller's categorised transactions for one income year, with the estimate",
  description:
    "Reads the caller's own ledger entries dated in the calendar year: `income` (positive amounts) as wages, `charity` as " +
    "deductible items (listed, not applied), `taxes` paid; sums in SQL; estimates the tax with the same engine as POST /v1/tax/income-tax.",
  scope: "tax:read",
  request: { query: reportQuerySchema },
  responses: { 200: jsonResponse(reportSchema, "The report") },
});

export function registerReport(app: TaxApp) {
  app.openapi(reportRoute, async (c) => {
    const q = c.req.valid("query");
    const jurisdiction = JURISDICTIONS.find((j) => j.code === q.jurisdiction)!;
    const userId = c.get("identity").sub;
    const from = `${q.income_year}-01-01`;
    const to = `${q.income_year}-12-31`;
    const db = drizzle(c.env.DB);

    const live = and(countedEntries("user_id", userId, "entries"), gte(entries.occurredDate, from), lte(entries.occurredDate, to));
    const [totals, donations] = await db.batch([
      db
        .select({
          category: entries.category,
          currency: entries.currency,
          inflow: exactSum(sql`case when ${entries.amount} > 0 then ${entries.amount} end`).mapWith(readExactSum),
          inflow_count: sql<number>`count(case when ${entries.amount} > 0 then 1 end)`,
          outflow: exactSum(sql`case when ${entries.amount} < 0 then -${entries.amount} end`).mapWith(readExactSum),
          outflow_count: sql<number>`count(case when ${entries.amount} < 0 then 1 end)`,
        })
        .from(entries)
        .where(and(live, inArray(entries.category, [...REPORT_CATEGORIES])))
        .groupBy(entries.category, entries.currency),
      db
        .select({
          id: entries.id,
          occurred_date: entries.occurredDate,
          description: entries.description,
          counterparty: entries.counterparty,
          amount: entries.amount,
        })
        .from(entries)
        .where(and(live, eq(entries.category, "charity"), eq(entries.currency, jurisdiction.currency), lt(entries.amount, 0)))
        .orderBy(asc(entries.occurredDate), asc(entries.id))
        .limit(MAX_LISTED_ITEMS),
    ]);

    const report = buildReport({
      jurisdiction: jurisdiction.code,
      currency: jurisdiction.currency,
      income_year: q.income_year,
      filing_status: q.filing_status ?? "single",
      dependents: q.dependents ?? 0,
      totals: totals as CategoryTotals[],
      donations: donations as DonationRow[],
    });
    if (!report.ok)
      throw new ApiError("validation_failed", report.errors.map((e) => `${e.path}: ${e.message}`).join("; "), { errors: report.errors });
    return exactJson(c, report.value, 200);
  });
}
