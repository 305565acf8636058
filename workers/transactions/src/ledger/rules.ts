/** Pure ledger rules: what an account may do with its balance. */
import { ENTRY_TEXT_LIMITS, type EntryTextField } from "#core/ledger";

export interface Limits {
  current: number;
  pending: number; // pending debits, always ≥ 0
  overdraft_limit: number | null; // null: no limit
}

/** available = current − pending debits + overdraft_limit; null when there is no limit. */
export const available = (l: Limits): number | null => (l.overdraft_limit === null ? null : l.current - l.pending + l.overdraft_limit);

/** Can `amount` (negative = money out) be applied without breaking the limit? Inflows always can. */
export function canApply(l: Limits, amount: number): boolean {
  if (amount >= 0 || l.overdraft_limit === null) return true;
  return l.current - l.pending + amount >= -l.overdraft_limit;
}

/** Balances stay exact: JS numbers beyond ±(2^53 − 1) would round. Holds with or without an overdraft limit. */
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER;

/**
 * Can a new movement of `amount` be taken within ±MAX_BALANCE? An outflow (a plain entry or a payment's
 * reservation) must leave room for every pending hold too: current − pending stays ≥ −MAX_BALANCE, so
 * each reserved hold can always be posted later. Computed in BigInt so the comparison itself is exact.
 */
export function fitsBalanceBound(l: { current: number; pending: number }, amount: number): boolean {
  const max = BigInt(MAX_BALANCE);
  if (amount >= 0) return BigInt(l.current) + BigInt(amount) <= max;
  return BigInt(l.current) - BigInt(l.pending) + BigInt(amount) >= -max;
}

/**
 * Posting a reserved hold: its room was set aside when it was reserved, so only its own result needs to
 * stay exact (other holds' room is theirs to have been checked against).
 */
export const canPostHold = (current: number, debit: number): boolean => BigInt(current) - BigInt(debit) >= -BigInt(MAX_BALANCE);

/** The first text field longer than its limit, if any (null and absent fields are fine). */
export function tooLongField(fields: Partial<Record<EntryTextField, string | null | undefined>>): EntryTextField | undefined {
  return (Object.keys(ENTRY_TEXT_LIMITS) as EntryTextField[]).find((k) => (fields[k]?.length ?? 0) > ENTRY_TEXT_LIMITS[k]);
}

/** YYYY-MM-DD of an occurred_at given as a date or an ISO date-time. */
export const occurredDate = (occurredAt: string) => occurredAt.slice(0, 10);
