import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { countedEntries, defineRoute, jsonResponse, minorUnitExponent, z } from "#core";
import { detectAnomalies } from "../domain/anomalies";
import type { HistoryTxn } from "../domain/history";
import type { AiApp } from "../env";
import { accountIdQuery, isoDate, ownAccount, type Ctx } from "./shared";

const querySchema = z.object({
  account_id: accountIdQuery,
  from: isoDate.optional().openapi({ description: "Report transactions dated on or after this day (default: all)" }),
  to: isoDate.optional().openapi({ description: "Report transactions dated on or before this day (default: all)" }),
});

const anomaliesSchema = z
  .object({
    data: z.array(
      z.object({
        transaction_id: z.string(),
        score: z.number().openapi({ example: 6.2, description: "Robust (median/MAD) z-score; ≥ 3.5 is reported" }),
        reason: z.string().openapi({ example: "4.8× your usual spend at CARREFOUR MARKET (usually 42.10)" }),
      }),
    ),
  })
  .openapi("Anomalies");

export const anomaliesRoute = defineRoute({
  method: "get",
  path: "/v1/ai/anomalies",
  tags: ["ai"],
  summary: "Unusual transactions of one account, highest score first",
  description:
    "Every outflow is scored against the same merchant's usual amounts (its category's when the merchant has too little history) with median/MAD on log amounts; " +
    "same-day repeats of a periodic charge score as possible duplicates. The whole history is the baseline; `from`/`to` only limit what is reported. " +
    "Reversed transactions and their reversals are left out.",
  scope: "ai:read",
  request: { query: querySchema },
  responses: { 200: jsonResponse(anomaliesSchema, "Anomalies sorted by score, highest first") },
});

/** Entries of an account or user that count (no reversed transactions, no reversals), oldest first. */
export async function historyOf(c: Ctx, scope: "account_id" | "user_id", id: string) {
  return drizzle(c.env.DB).all<HistoryTxn & { currency: string; counterparty: string | null; category: string }>(
    sql`SELECT e.id, e.occurred_date AS date, e.amount, e.currency, e.description, e.counterparty, e.category FROM entries e
        WHERE ${countedEntries(scope, id)} ORDER BY e.occurred_date, e.id`,
  );
}

export function registerAnomalies(app: AiApp) {
  app.openapi(anomaliesRoute, async (c) => {
    const q = c.req.valid("query");
    const account = await ownAccount(c, q.account_id);
    const txns = await historyOf(c, "account_id", account.id);
    const data = detectAnomalies(txns, { from: q.from, to: q.to, decimals: minorUnitExponent(account.currency) });
    return c.json({ data }, 200);
  });
}
