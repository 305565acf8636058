import type { LedgerFailure, LedgerOutcome, PaymentRequest, PaymentView, Statement } from "#core";
import { belowFloor, fail, tooLong, type Totals } from "./entries";
import type { Meta } from "./reads";
import { canApply, fitsBalanceBound, tooLongField } from "./rules";

/**
 * The payment protocol, TigerBeetle style, run by the source account's object:
 * 1. reserve — the checks below, then a hold (counted in `pending`) and the payment's state, durably,
 *    with the recovery alarm armed;
 * 2. credit — the destination object checks its own status and currency, credits once per payment id
 *    and answers its owner's id;
 * 3. post the hold as the debit entry, or void it if the destination refused.
 * A crash or an eviction anywhere leaves the payment reserved; the alarm drives it to 3.
 */
export interface PaymentState extends PaymentView {
  user_id: string;
  /** The destination's owner, known once the destination has credited the payment. */
  destination_user_id?: string;
  failure?: LedgerFailure;
}

/** Why the source cannot reserve `input`, if it cannot. Every bound is checked here, counting all pending holds. */
export function reserveRefusal(m: Meta | undefined, t: Totals, input: PaymentRequest, checkBound = true): LedgerFailure | undefined {
  if (!m || m.user_id !== input.user_id) return fail("not_found", "No such source account.");
  if (m.status === "closed") return fail("account_closed", "The source account is closed.");
  if (m.currency !== input.currency) return fail("currency_mismatch", `The source account is in ${m.currency}.`);
  if (tooLongField({ description: input.description })) return tooLong("description");
  if (!canApply({ current: t.current, pending: t.pending, overdraft_limit: m.overdraft_limit }, -input.amount))
    return fail("insufficient_funds", "The amount exceeds the available balance.");
  // So that posting this hold after the destination has been credited can never fail.
  if (checkBound && !fitsBalanceBound(t, -input.amount)) return belowFloor();
  return undefined;
}

export function paymentOutcome(state: PaymentState): LedgerOutcome<{ payment: PaymentView }> {
  if (state.status === "failed") return state.failure!;
  const { user_id, destination_user_id, failure, ...payment } = state;
  return { ok: true, payment };
}

/** The payment's row in the D1 projection; a refused payment moved nothing and its id was never given out, so it leaves. */
export function paymentProjection(p: PaymentState): Statement {
  if (p.status === "failed") return { sql: "DELETE FROM payments WHERE id = ?", params: [p.id] };
  return {
    sql: `INSERT INTO payments (id, user_id, destination_user_id, source_account_id, destination_account_id, amount, currency,
         description, status, failure_code, created_at, completed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, failure_code = excluded.failure_code, completed_at = excluded.completed_at,
         destination_user_id = CASE WHEN excluded.destination_user_id = '' THEN payments.destination_user_id ELSE excluded.destination_user_id END`,
    // '' until the destination has answered: the payee sees the payment once it is credited.
    params: [
      p.id,
      p.user_id,
      p.destination_user_id ?? "",
      p.source_account_id,
      p.destination_account_id,
      p.amount,
      p.currency,
      p.description,
      p.status,
      p.failure?.code ?? null,
      p.created_at,
      p.status === "pending" ? null : new Date().toISOString(),
    ],
  };
}
