import { eventRecord, type EventRecord, type LedgerEntry, type PaymentView } from "#core";
import { toTransaction } from "../routes/shared";
import type { PaymentState } from "./payment";

/**
 * The events the ledger records, each written into the outbox in the same transaction as the fact
 * (projection.ts publishes them after D1 has them). One event per user a fact concerns: an entry
 * concerns its account's owner; a payment its payer (when the source posts or voids it) and its payee
 * (when the destination credits it), once when they are the same user.
 */

/** What the destination is told of the payment it credits, so that it can tell its owner. */
export interface CreditedPayment extends PaymentView {
  /** The payer: the destination records the payee's event only when the payee is someone else. */
  user_id: string;
}

export const transactionCreated = (e: LedgerEntry): EventRecord =>
  eventRecord("transaction.created", e.user_id, e.id, toTransaction(e), e.created_at);

/** The payment as the API returns it. */
export const paymentView = (p: PaymentView): PaymentView => ({
  id: p.id,
  status: p.status,
  source_account_id: p.source_account_id,
  destination_account_id: p.destination_account_id,
  amount: p.amount,
  currency: p.currency,
  description: p.description ?? null,
  created_at: p.created_at,
});

/** The payer's event once the payment is settled on the source: completed, or failed when voided. */
export function payerEvent(state: PaymentState, at: string): EventRecord | undefined {
  if (state.status === "completed") return eventRecord("payment.completed", state.user_id, state.id, paymentView(state), at);
  if (state.status === "failed")
    return eventRecord("payment.failed", state.user_id, state.id, { ...paymentView(state), failure_code: state.failure?.code ?? null }, at);
  return undefined;
}

/** The payee's event when its account is credited; none when the payer is the payee (the source records theirs). */
export function payeeEvent(payment: CreditedPayment | undefined, payeeUserId: string, at: string): EventRecord | undefined {
  if (!payment || payment.user_id === payeeUserId) return undefined;
  return eventRecord("payment.completed", payeeUserId, payment.id, { ...paymentView(payment), status: "completed" }, at);
}

/**
 * The payee's events about a leg of a deleted payer's payment lose the payer's words too: the
 * transaction's description becomes the leg's erased one, the payment's description null.
 */
export function erasedCounterpartyEvents(payeeUserId: string, entryId: string, paymentId: string, description: string) {
  return {
    sql: `UPDATE events SET data = CASE type
        WHEN 'transaction.created' THEN json_set(data, '$.object.description', ?)
        ELSE json_set(data, '$.object.description', json('null')) END
      WHERE user_id = ? AND ((type = 'transaction.created' AND json_extract(data, '$.object.id') = ?)
        OR (type = 'payment.completed' AND json_extract(data, '$.object.id') = ?))`,
    params: [description, payeeUserId, entryId, paymentId] as unknown[],
  };
}
