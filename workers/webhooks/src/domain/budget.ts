/**
 * When an outflow makes a budget exceeded: the month's spending up to and including it (entries in
 * (created_at, id) order) is over the budget, and up to just before it was not. Judged in that one
 * order, a month's crossing is one transaction's, whatever order the events arrive in.
 */
export function crossesBudget(budget: number, spentThrough: number, outflow: number): boolean {
  return spentThrough > budget && spentThrough - outflow <= budget;
}

/** The calendar month (UTC) of a date: its first and last days, as the budgets do. */
export function monthOf(date: string): { period_start: string; period_end: string } {
  const [y, m] = date.slice(0, 7).split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, "0");
  return { period_start: `${y}-${mm}-01`, period_end: `${y}-${mm}-${String(last).padStart(2, "0")}` };
}
