import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { countedEntries, eventInsert, eventRecord, log, type EventRecord } from "#core";
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

/**
 * Events derived from a recorded transaction, off the money's path (in the events queue's consumer):
 * `budget.exceeded` the first time an outflow takes a budget over in its month, and `anomaly.detected`
 * when the ai worker finds it unusual. Each id is derived from what it is about — (budget, month) and
 * the transaction — so a redelivered message records nothing new.
 */
export async function derivedEvents(env: Env, e: EventRecord): Promise<EventRecord[]> {
  if (e.type !== "transaction.created") return [];
  const t = e.data.object as TransactionObject;
  if (t.amount >= 0 || t.reverses_id) return [];
  // Rows of an imported statement are not checked one by one: thousands of rows would mean thousands
  // of history scans. They count in the checks of the outflows recorded after them.
  const row = await env.DB.prepare("SELECT import_id FROM entries WHERE id = ?").bind(t.id).first<{ import_id: string | null }>();
  if (row?.import_id) return [];
  const found: EventRecord[] = [];
  const [budget, anomaly] = await Promise.allSettled([budgetExceeded(env, e.user_id, t), anomalyDetected(env, e.user_id, t)]);
  for (const [what, r] of [
    ["budget", budget],
    ["anomaly", anomaly],
  ] as const) {
    if (r.status === "fulfilled") {
      if (r.value) found.push(r.value);
    } else log("warn", { worker: "webhooks", event: `${what}_check_failed`, error: String(r.reason) });
  }
  if (!found.length) return [];
  // A user deleted meanwhile gets no new event (the deletion erased the others).
  const user = await env.DB.prepare("SELECT status FROM users WHERE id = ?").bind(e.user_id).first<{ status: string }>();
  if (!user || user.status === "deleted") return [];
  await env.DB.batch(found.map((d) => env.DB.prepare(eventInsert(d).sql).bind(...eventInsert(d).params)));
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

async function anomalyDetected(env: Env, userId: string, t: TransactionObject): Promise<EventRecord | undefined> {
  if (!env.AI_SERVICE) return undefined;
  // Money moved between two of the user's own accounts is not spending: not scored (the score reads
  // and weighs the account's whole history, the costliest step here).
  if (t.payment_id && t.counterparty) {
    const other = await env.DB.prepare("SELECT user_id FROM accounts WHERE id = ?").bind(t.counterparty).first<{ user_id: string }>();
    if (other?.user_id === userId) return undefined;
  }
  const score = await env.AI_SERVICE.scoreTransaction({ user_id: userId, account_id: t.account_id, transaction_id: t.id });
  if (!score?.anomalous) return undefined;
  const object = { transaction_id: t.id, account_id: t.account_id, score: score.score, reason: score.reason };
  return eventRecord("anomaly.detected", userId, t.id, object, t.created_at);
}
