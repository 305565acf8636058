/** Pure ledger rules: what an account may do with its balance. */
export interface Limits {
  current: number;
  pending: number; // pending debits, always ≥ 0
  overdraft_limit: number | null; // null: no limit
}

/** available = current − pending debits + overdraft_limit; null when there is no limit. */
export const available = (l: Limits): number | null =>
  l.overdraft_limit === null ? null : l.current - l.pending + l.overdraft_limit;

/** Can `amount` (negative = money out) be applied without breaking the limit? Inflows always can. */
export function canApply(l: Limits, amount: number): boolean {
  if (amount >= 0 || l.overdraft_limit === null) return true;
  return l.current - l.pending + amount >= -l.overdraft_limit;
}

/** YYYY-MM-DD of an occurred_at given as a date or an ISO date-time. */
export const occurredDate = (occurredAt: string) => occurredAt.slice(0, 10);
