import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { countedEntries, defineRoute, jsonResponse, minorUnitExponent, z, type ScoreTransactionInput, type TransactionScore } from "#core";
import { ANOMALY_THRESHOLD, detectAnomalies } from "../domain/anomalies";
import type { HistoryTxn } from "../domain/history";
import type { AiApp } from "../env";
import { accountIdQuery, isoDate, ownAccount } from "./shared";

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
        reason: z.string().openapi({
          example:
            "2400.00 EUR at MEUBLES DUVAL, a merchant you never used before: 28× your usual payment (85.50 EUR), 80 % of a month's income",
        }),
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
    "Every outflow is scored against the same merchant's usual amounts with median/MAD on log amounts; a first or rare payment at a merchant is scored against the account's own outflows " +
    "(how many times your usual payment, what you paid there before, its share of a month's income) and its category's; " +
    "same-day repeats of a periodic charge score as possible duplicates. The whole history is the baseline; `from`/`to` only limit what is reported. " +
    "Reversed transactions and their reversals are left out.",
  scope: "ai:read",
  request: { query: querySchema },
  responses: { 200: jsonResponse(anomaliesSchema, "Anomalies sorted by score, highest first") },
});

/** Entries of an account or user that count (no reversed transactions, no reversals), oldest first. */
export async function historyOf(db: D1Database, scope: "account_id" | "user_id", id: string) {
  return drizzle(db).all<HistoryTxn & { currency: string; counterparty: string | null; category: string }>(
    sql`SELECT e.id, e.account_id, e.occurred_date AS date, e.amount, e.currency, e.description, e.counterparty, e.category FROM entries e
        WHERE ${countedEntries(scope, id)} ORDER BY e.occurred_date, e.id`,
  );
}

export function registerAnomalies(app: AiApp) {
  app.openapi(anomaliesRoute, async (c) => {
    const q = c.req.valid("query");
    const account = await ownAccount(c, q.account_id);
    const txns = await historyOf(c.env.DB, "account_id", account.id);
    const data = detectAnomalies(txns, {
      from: q.from,
      to: q.to,
      decimals: minorUnitExponent(account.currency),
      currency: account.currency,
    });
    return c.json({ data }, 200);
  });
}

/** One transaction's score against its account's whole history (for `anomaly.detected`); null if not the user's. */
export async function scoreTransaction(db: D1Database, input: ScoreTransactionInput): Promise<TransactionScore | null> {
  const account = await db
    .prepare("SELECT currency FROM accounts WHERE id = ? AND user_id = ?")
    .bind(input.account_id, input.user_id)
    .first<{ currency: string }>();
  if (!account) return null;
  const txns = await historyOf(db, "account_id", input.account_id);
  if (!txns.some((t) => t.id === input.transaction_id)) return null;
  const found = detectAnomalies(txns, { decimals: minorUnitExponent(account.currency), currency: account.currency, minScore: 0 }).find(
    (a) => a.transaction_id === input.transaction_id,
  );
  if (!found) return null;
  return { ...found, anomalous: found.score >= ANOMALY_THRESHOLD };
}
