import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  IN_IDS,
  countedEntries,
  defineRoute,
  idList,
  jsonResponse,
  minorUnitExponent,
  z,
  type ScoreTransactionInput,
  type TransactionScore,
} from "#core";
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

type Txn = HistoryTxn & { currency: string; counterparty: string | null; category: string };
const HISTORY_COLUMNS = sql`e.id, e.account_id, e.occurred_date AS date, e.amount, e.currency, e.description, e.counterparty, e.category`;

/** Entries of an account or user that count (no reversed transactions, no reversals), oldest first. */
export async function historyOf(db: D1Database, scope: "account_id" | "user_id", id: string) {
  return drizzle(db).all<Txn>(
    sql`SELECT ${HISTORY_COLUMNS} FROM entries e WHERE ${countedEntries(scope, id)} ORDER BY e.occurred_date, e.id`,
  );
}

/**
 * The baseline a new transaction is scored against for `anomaly.detected`: the account's last
 * SCORE_HISTORY recorded entries that count, oldest first. Bounded, so an outflow's score costs the
 * same on an account with fifty thousand entries as on one with a thousand.
 */
export const SCORE_HISTORY = 1_000;
async function recentHistoryOf(db: D1Database, accountId: string): Promise<Txn[]> {
  return drizzle(db).all<Txn>(
    sql`SELECT * FROM (SELECT ${HISTORY_COLUMNS} FROM entries e WHERE ${countedEntries("account_id", accountId)} ORDER BY e.version DESC LIMIT ${SCORE_HISTORY}) ORDER BY date, id`,
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

/**
 * Each transaction's score against its account's recent history (`recentHistoryOf`, for
 * `anomaly.detected`), in the order asked; null for one that is not the user's or not in that history.
 * One history read and one scoring pass per account, however many of its transactions are asked about
 * (the events consumer asks for a whole queue batch at once).
 */
export async function scoreTransactions(db: D1Database, inputs: ScoreTransactionInput[]): Promise<(TransactionScore | null)[]> {
  const accounts = new Map(
    (
      await db
        .prepare(`SELECT id, user_id, currency FROM accounts WHERE id IN ${IN_IDS}`)
        .bind(idList(inputs.map((i) => i.account_id)))
        .all<{ id: string; user_id: string; currency: string }>()
    ).results.map((a) => [a.id, a]),
  );
  const scores = new Map<string, Map<string, TransactionScore>>();
  await Promise.all(
    [...accounts.values()].map(async (account) => {
      const txns = await recentHistoryOf(db, account.id);
      const found = detectAnomalies(txns, { decimals: minorUnitExponent(account.currency), currency: account.currency, minScore: 0 });
      scores.set(account.id, new Map(found.map((a) => [a.transaction_id, { ...a, anomalous: a.score >= ANOMALY_THRESHOLD }])));
    }),
  );
  return inputs.map((i) =>
    accounts.get(i.account_id)?.user_id === i.user_id ? (scores.get(i.account_id)?.get(i.transaction_id) ?? null) : null,
  );
}
