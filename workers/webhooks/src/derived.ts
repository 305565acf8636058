import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  IN_IDS,
  MAX_SCORED_TRANSACTIONS,
  countedEntries,
  eventInsert,
  eventRecord,
  idList,
  log,
  runStatements,
  type EventRecord,
} from "#core";
import { crossesBudget, monthOf } from "./domain/budget";
import type { Env } from "./env";

/** The transaction a transaction.created event carries (its fields this module reads). */
interface TransactionObject {
  id: string;
  account_id: string;
  amount: number;
  currency: string;
  category: string;
  category_status?: string;
  occurred_at: string;
  created_at: string;
  reverses_id: string | null;
  payment_id: string | null;
  counterparty: string | null;
}

/** Only an outflow (not a reversal) can take a budget over or look unusual: the events that get checks. */
export const isCheckedOutflow = (e: EventRecord) => {
  const t = e.data.object as Partial<TransactionObject>;
  return e.type === "transaction.created" && typeof t.amount === "number" && t.amount < 0 && !t.reverses_id;
};

/**
 * Events derived from recorded transactions, off the money's path (in the events queue's consumer):
 * `budget.exceeded` the first time an outflow takes a budget over in its month, and `anomaly.detected`
 * when the ai worker finds it unusual. Each id is derived from what it is about — (budget, month) and
 * the transaction — so a redelivered message records nothing new. A whole queue batch is judged at
 * once: one D1 round trip finds the imported rows, the users with budgets and the transfers between a
 * user's own accounts, and one call scores the rest.
 */
export async function derivedEvents(env: Env, events: EventRecord[]): Promise<EventRecord[]> {
  const outflows = events.filter(isCheckedOutflow).map((e) => ({ e, t: e.data.object as TransactionObject }));
  if (!outflows.length) return [];
  const [imported, budgeted, accounts] = await env.DB.batch<{ id: string; user_id?: string }>([
    // Rows of an imported statement are not checked one by one: thousands of rows would mean thousands
    // of history scans. They count in the checks of the outflows recorded after them.
    env.DB.prepare(`SELECT id FROM entries WHERE import_id IS NOT NULL AND id IN ${IN_IDS}`).bind(idList(outflows.map(({ t }) => t.id))),
    env.DB.prepare(`SELECT DISTINCT user_id AS id FROM budgets WHERE period = 'month' AND user_id IN ${IN_IDS}`).bind(
      idList(outflows.map(({ e }) => e.user_id)),
    ),
    env.DB.prepare(`SELECT id, user_id FROM accounts WHERE id IN ${IN_IDS}`).bind(idList(outflows.map(({ t }) => t.counterparty ?? ""))),
  ]);
  const importedIds = new Set(imported.results.map((r) => r.id));
  const withBudgets = new Set(budgeted.results.map((r) => r.id));
  const ownerOf = new Map(accounts.results.map((r) => [r.id, r.user_id]));
  const checked = outflows.filter(({ t }) => !importedIds.has(t.id));
  // Money moved between two of the user's own accounts is not spending: not scored (the score reads
  // and weighs the account's recent history, the costliest step here).
  const scored = checked.filter(({ e, t }) => !(t.payment_id && t.counterparty && ownerOf.get(t.counterparty) === e.user_id));
  const [budgets, anomalies] = await Promise.all([
    Promise.allSettled(checked.map(({ e, t }) => (withBudgets.has(e.user_id) ? budgetExceeded(env, e.user_id, t) : undefined))),
    anomaliesOf(env, scored),
  ]);
  const found: EventRecord[] = [];
  checked.forEach(({ t }, i) => {
    const budget = budgets[i];
    if (budget.status === "rejected") log("warn", { worker: "webhooks", event: "budget_check_failed", error: String(budget.reason) });
    else if (budget.value) found.push(budget.value);
    const anomaly = anomalies.get(t.id);
    if (anomaly) found.push(anomaly);
  });
  if (!found.length) return [];
  // A user deleted meanwhile gets no new event (the deletion erased the others).
  const live = new Set(
    (
      await env.DB.prepare(`SELECT id FROM users WHERE status != 'deleted' AND id IN ${IN_IDS}`)
        .bind(idList(found.map((d) => d.user_id)))
        .all<{ id: string }>()
    ).results.map((r) => r.id),
  );
  const kept = found.filter((d) => live.has(d.user_id));
  await runStatements(env.DB, kept.map(eventInsert));
  return kept;
}

/** anomaly.detected for each outflow the ai worker calls unusual, by transaction id; a failed call is logged and finds none. */
async function anomaliesOf(env: Env, outflows: { e: EventRecord; t: TransactionObject }[]): Promise<Map<string, EventRecord>> {
  const found = new Map<string, EventRecord>();
  if (!outflows.length || !env.AI_SERVICE) return found;
  try {
    for (let i = 0; i < outflows.length; i += MAX_SCORED_TRANSACTIONS) {
      const part = outflows.slice(i, i + MAX_SCORED_TRANSACTIONS);
      const scores = await env.AI_SERVICE.scoreTransactions(
        part.map(({ e, t }) => ({ user_id: e.user_id, account_id: t.account_id, transaction_id: t.id })),
      );
      part.forEach(({ e, t }, k) => {
        const score = scores[k];
        if (!score?.anomalous) return;
        const object = { transaction_id: t.id, account_id: t.account_id, score: score.score, reason: score.reason };
        found.set(t.id, eventRecord("anomaly.detected", e.user_id, t.id, object, t.created_at));
      });
    }
  } catch (err) {
    log("warn", { worker: "webhooks", event: "anomaly_check_failed", error: String(err) });
  }
  return found;
}

async function budgetExceeded(env: Env, userId: string, t: TransactionObject): Promise<EventRecord | undefined> {
  if (t.category_status === "pending") return undefined;
  const date = t.occurred_at.slice(0, 10);
  const { period_start, period_end } = monthOf(date);
  // Budgets show the current month: an outflow dated in another month takes none over.
  if (period_start !== monthOf(new Date().toISOString()).period_start) return undefined;
  const rows = await drizzle(env.DB).all<{
    id: string;
    category: string;
    amount: number;
    currency: string;
    period: string;
    created_at: string;
    spent: number;
    counted: number;
  }>(sql`
    SELECT b.id, b.category, b.amount, b.currency, b.period, b.created_at,
      (SELECT coalesce(sum(-e.amount), 0) FROM entries e
        WHERE ${countedEntries("user_id", userId)} AND e.currency = b.currency AND e.amount < 0
          AND e.occurred_date BETWEEN ${period_start} AND ${period_end}
          AND (e.category = b.category OR e.category IN (SELECT k.name FROM categories k WHERE k.user_id = ${userId} AND k.parent = b.category))
          AND (e.created_at < ${t.created_at} OR (e.created_at = ${t.created_at} AND e.id <= ${t.id}))) AS spent,
      (SELECT count(*) FROM entries e WHERE ${countedEntries("user_id", userId)} AND e.id = ${t.id}) AS counted
    FROM budgets b
    WHERE b.user_id = ${userId} AND b.currency = ${t.currency} AND b.period = 'month'
      AND (b.category = ${t.category} OR b.category IN (SELECT k.parent FROM categories k WHERE k.user_id = ${userId} AND k.name = ${t.category}))`);
  for (const b of rows) {
    if (!b.counted || !crossesBudget(b.amount, b.spent, -t.amount)) continue;
    const event = (object: unknown) => eventRecord("budget.exceeded", userId, `${b.id}:${period_start}`, object, t.created_at);
    // Once per budget and month: another crossing (after a reversal) is not told again; this one is
    // returned again on a redelivery, so that its fan-out (idempotent) still happens.
    const seen = await env.DB.prepare(
      "SELECT id FROM events WHERE user_id = ? AND type = 'budget.exceeded' AND json_extract(data, '$.object.id') = ? AND json_extract(data, '$.object.period_start') = ?",
    )
      .bind(userId, b.id, period_start)
      .first<{ id: string }>();
    const object = {
      id: b.id,
      category: b.category,
      amount: b.amount,
      currency: b.currency,
      period: b.period,
      spent: b.spent,
      remaining: b.amount - b.spent,
      period_start,
      period_end,
      created_at: b.created_at,
      transaction_id: t.id,
    };
    const found = event(object);
    if (seen && seen.id !== found.id) continue;
    return found;
  }
  return undefined;
}
