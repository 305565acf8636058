import { CATEGORY_CODES, ERASED_TEXT, isCategoryCode, type SentPaymentText } from "#core";

/**
 * Erasing a deleted user's words from the ledger. Only text is touched: the hash chain (chain.ts)
 * covers id, version, amount, currency, dates, external_id, payment_id, reverses_id and
 * balance_after, none of which change, so every chain still verifies after erasure.
 *
 * The same rule exists twice — as a function for the object's rows and as one SQL SET clause for the
 * D1 projection, which is erased with a single statement per account — and the unit test holds the
 * two equal.
 */
export const ERASED = ERASED_TEXT;

export interface ErasableEntry {
  amount: number;
  description: string;
  category: string;
  counterparty: string | null;
  notes: string | null;
  payment_id: string | null;
}

export type ErasedText = Pick<ErasableEntry, "description" | "category" | "counterparty" | "notes">;

/**
 * A payment leg keeps the wording the ledger itself writes when a payment has no description, with
 * the other account's opaque id as counterparty: nothing personal, and still readable by the other side.
 */
export const paymentLegDescription = (amount: number, counterparty: string | null) =>
  `${amount < 0 ? "Payment to" : "Payment from"} ${counterparty ?? "another account"}`;

/** What an entry of a deleted user's account keeps: taxonomy categories stay, the user's own become `other`. */
export function erasedText(e: ErasableEntry): ErasedText {
  const leg = e.payment_id !== null;
  return {
    description: leg ? paymentLegDescription(e.amount, e.counterparty) : ERASED,
    category: isCategoryCode(e.category) ? e.category : "other",
    counterparty: leg ? e.counterparty : null,
    notes: null,
  };
}

// Category codes are fixed lower-case words, safe to inline; this keeps user text out of the statement.
const codes = CATEGORY_CODES.map((c) => {
  if (!/^[a-z_]+$/.test(c)) throw new Error(`unexpected category code ${c}`);
  return `'${c}'`;
}).join(", ");

/** `erasedText` as the SET clause of an `UPDATE entries`, for the object's SQLite and D1 alike. */
export const ERASE_ENTRY_SET = `description = CASE
    WHEN payment_id IS NULL THEN '${ERASED}'
    WHEN amount < 0 THEN 'Payment to ' || coalesce(counterparty, 'another account')
    ELSE 'Payment from ' || coalesce(counterparty, 'another account') END,
  category = CASE WHEN category IN (${codes}) THEN category ELSE 'other' END,
  counterparty = CASE WHEN payment_id IS NULL THEN NULL ELSE counterparty END,
  notes = NULL`;

/** A payment's stored state without the payer's description (the rest is ids, amounts and codes). */
export function erasedPaymentBody(body: string): string {
  const state = JSON.parse(body) as { description?: string | null };
  return JSON.stringify({ ...state, description: null });
}

/**
 * The payee's leg of a payment from a deleted user carries the payer's description: it is replaced by
 * the ledger's own wording, unless the payee has since rewritten it in their own words.
 */
export function erasedCounterpartyDescription(
  e: { amount: number; description: string; counterparty: string | null },
  payerDescription: string,
): string | null {
  return e.description === payerDescription ? paymentLegDescription(e.amount, e.counterparty) : null;
}

// ── on the object's own SQLite storage (synchronous: run inside one transactionSync) ──

/** Completed payments this account sent with a description, read before erasure so the payees' legs can follow. */
export function sentPaymentTexts(sql: SqlStorage): SentPaymentText[] {
  return sql
    .exec("SELECT body FROM payments WHERE state = 'completed'")
    .toArray()
    .map((r) => JSON.parse(r.body as string) as { id: string; destination_account_id: string; description: string | null })
    .filter((p) => p.description !== null && p.description !== undefined)
    .map((p) => ({ payment_id: p.id, destination_account_id: p.destination_account_id, description: p.description! }));
}

/**
 * Erases a deleted owner's text from the object: entries, the stored payment states and their
 * Idempotency-Keys, the stored responses of idempotent requests (they embed the entries), and the
 * copies of payments received (no one reads them any more). Idempotent.
 */
export function eraseOwnRows(sql: SqlStorage) {
  sql.exec(`UPDATE entries SET ${ERASE_ENTRY_SET}`);
  for (const p of sql.exec("SELECT id, body FROM payments").toArray())
    sql.exec("UPDATE payments SET body = ?, idem = NULL WHERE id = ?", erasedPaymentBody(p.body as string), p.id as string);
  sql.exec("DELETE FROM idempotency");
  sql.exec("DELETE FROM received");
}

/**
 * Rewrites the payee's legs of a deleted payer's payments, and drops the payer's description from
 * the payee's copies of them; returns the entries changed, for the projection.
 */
export function eraseCounterpartyRows(sql: SqlStorage, payments: SentPaymentText[]): { id: string; description: string }[] {
  const changed: { id: string; description: string }[] = [];
  for (const p of payments) {
    const copy = sql.exec("SELECT body FROM received WHERE payment_id = ?", p.payment_id).toArray()[0];
    if (copy) sql.exec("UPDATE received SET body = ? WHERE payment_id = ?", erasedPaymentBody(copy.body as string), p.payment_id);
    const e = sql.exec("SELECT id, amount, description, counterparty FROM entries WHERE payment_id = ?", p.payment_id).toArray()[0];
    if (!e) continue;
    const next = erasedCounterpartyDescription(e as { amount: number; description: string; counterparty: string | null }, p.description);
    if (next === null) continue;
    sql.exec("UPDATE entries SET description = ? WHERE id = ?", next, e.id as string);
    changed.push({ id: e.id as string, description: next });
  }
  return changed;
}

// Requests of the owner already past the gateway when the deletion ran may still arrive: once erased,
// the object stores no new text (patches) and no new Idempotency-Key for them.
const ERASED_AT = "erased_at";
export const markErased = (kv: SyncKvStorage) => kv.put(ERASED_AT, new Date().toISOString());
export const isErased = (kv: SyncKvStorage) => kv.get(ERASED_AT) !== undefined;
