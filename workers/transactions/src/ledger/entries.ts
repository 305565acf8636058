import { ENTRY_TEXT_LIMITS, newId, type EntryInput, type LedgerEntry, type LedgerFailure, type Statement } from "#core";
import { GENESIS_HASH, entryHash } from "./chain";
import { toEntry, type Meta } from "./reads";
import { canApply, canPostHold, fitsBalanceBound, occurredDate, tooLongField } from "./rules";

/**
 * Entries and their rules: every entry of an account is written here, after the same checks — text
 * bounds, the limit and the ±(2^53 − 1) balance bound — with its version, balance and chained hash.
 */
export interface Totals {
  version: number;
  current: number;
  head: string;
  pending: number;
}

export const fail = (code: LedgerFailure["code"], detail: string): LedgerFailure => ({ ok: false, code, detail });

export function readMeta(sql: SqlStorage): Meta | undefined {
  return sql.exec("SELECT * FROM meta").toArray()[0] as unknown as Meta | undefined;
}

export function readTotals(sql: SqlStorage): Totals {
  const last = sql.exec("SELECT version, balance_after, hash FROM entries ORDER BY version DESC LIMIT 1").toArray()[0];
  const pending = (sql.exec("SELECT coalesce(sum(amount), 0) AS p FROM holds").one().p as number) ?? 0;
  return {
    version: (last?.version as number) ?? 0,
    current: (last?.balance_after as number) ?? 0,
    head: (last?.hash as string) ?? GENESIS_HASH,
    pending,
  };
}

/**
 * Refusals at the balance bound (±(2^53 − 1)), with or without an overdraft limit: money out past the
 * floor is insufficient_funds (the account cannot go that low, as with a limit); money in past the
 * ceiling is validation_failed (the amount cannot be represented there). Both are 422 and move nothing.
 */
export const belowFloor = () => fail("insufficient_funds", "The balance would fall below the lowest supported amount.");
export const aboveCeiling = () => fail("validation_failed", "The balance would exceed the largest supported amount.");
export const tooLong = (field: keyof typeof ENTRY_TEXT_LIMITS) =>
  fail("validation_failed", `${field} must be at most ${ENTRY_TEXT_LIMITS[field]} characters.`);

export type NewEntry = EntryInput & {
  category: string;
  category_status?: "pending" | "final";
  payment_id?: string | null;
  reverses_id?: string | null;
};

/**
 * Why `input` cannot be written, if it cannot. `posting` is a reserved hold becoming its debit: its
 * limit and its room under the floor were checked when it was reserved.
 */
export function entryRefusal(m: Meta, t: Totals, input: NewEntry, posting = false): LedgerFailure | undefined {
  if (m.status === "closed") return fail("account_closed", "The account is closed.");
  // Last line of defence: every route bounds these first; an oversized row must never reach SQLite.
  const long = tooLongField(input);
  if (long) return tooLong(long);
  if (posting) return canPostHold(t.current, -input.amount) ? undefined : belowFloor();
  if (!canApply({ current: t.current, pending: t.pending, overdraft_limit: m.overdraft_limit }, input.amount))
    return fail("insufficient_funds", "The amount exceeds the available balance.");
  if (!fitsBalanceBound(t, input.amount)) return input.amount < 0 ? belowFloor() : aboveCeiling();
  return undefined;
}

/** Inserts the entry (checked by entryRefusal) and returns it. Synchronous; the caller holds the transaction. */
export function insertEntry(sql: SqlStorage, m: Meta, t: Totals, input: NewEntry): LedgerEntry {
  const e = {
    id: newId("txn"),
    account_id: m.account_id,
    version: t.version + 1,
    amount: input.amount,
    currency: m.currency,
    occurred_at: input.occurred_at,
    external_id: input.external_id ?? null,
    payment_id: input.payment_id ?? null,
    reverses_id: input.reverses_id ?? null,
    balance_after: t.current + input.amount,
    created_at: new Date().toISOString(),
  };
  const hash = entryHash(t.head, e);
  sql.exec(
    `INSERT INTO entries (version, id, amount, description, category, category_status, counterparty, notes, occurred_at, occurred_date,
       external_id, payment_id, reverses_id, import_id, balance_after, hash, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    e.version,
    e.id,
    e.amount,
    input.description,
    input.category,
    input.category_status ?? "final",
    input.counterparty ?? null,
    input.notes ?? null,
    e.occurred_at,
    occurredDate(e.occurred_at),
    e.external_id,
    e.payment_id,
    e.reverses_id,
    input.import_id ?? null,
    e.balance_after,
    hash,
    e.created_at,
  );
  return toEntry(m, sql.exec("SELECT * FROM entries WHERE version = ?", e.version).one());
}

/** The entry's row in the D1 projection, as an upsert: only the mutable text changes on a resend. */
export function entryProjection(e: LedgerEntry): Statement {
  return {
    sql: `INSERT INTO entries (id, account_id, user_id, version, amount, currency, description, category, counterparty, notes,
         occurred_at, occurred_date, external_id, payment_id, reverses_id, import_id, balance_after, hash, created_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET description = excluded.description, category = excluded.category, notes = excluded.notes`,
    params: [
      e.id,
      e.account_id,
      e.user_id,
      e.version,
      e.amount,
      e.currency,
      e.description,
      e.category,
      e.counterparty,
      e.notes,
      e.occurred_at,
      occurredDate(e.occurred_at),
      e.external_id,
      e.payment_id,
      e.reverses_id,
      e.import_id,
      e.balance_after,
      e.hash,
      e.created_at,
    ],
  };
}
