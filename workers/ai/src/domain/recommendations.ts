/**
 * Recommendations from a transaction history: recurring charges (subscriptions), budget
 * suggestions, overspending against budgets, savings potential and a tax hint. Each carries
 * evidence ids and an estimated monthly impact in integer minor units. Pure.
 */
import { addMonths, daysInMonth, dayOfMonth, fromDay, monthIndex, toDay } from "./dates";
import type { HistoryTxn } from "./history";
import { mean, median } from "./stats";
import { formatMinor, merchantKey } from "./text";

export interface Budget {
  category: string;
  amount: number; // monthly, positive minor units
}

export type RecommendationType = "budget" | "subscription" | "savings" | "overspending" | "tax";

export interface Recommendation {
  type: RecommendationType;
  title: string;
  detail: string;
  estimated_monthly_impact: number;
  evidence: string[];
}

export interface RecurringCharge {
  merchant: string;
  category: string | null;
  period: "weekly" | "monthly" | "yearly";
  amount: number; // typical charge, positive minor units
  monthly_cost: number;
  first_date: string;
  last_date: string;
  transaction_ids: string[];
}

const PERIODS = [
  { period: "weekly", days: 7, tol: 2, minCount: 4, perMonth: 52 / 12 },
  { period: "monthly", days: 30.4, tol: 4, minCount: 3, perMonth: 1 },
  { period: "yearly", days: 365, tol: 15, minCount: 2, perMonth: 1 / 12 },
] as const;

/** The latest transaction day (a loop, not Math.max(...days): spreading ~125 000 arguments throws RangeError). */
const lastDay = (txns: readonly HistoryTxn[]): number => txns.reduce((max, t) => Math.max(max, toDay(t.date)), -Infinity);

/**
 * Recurring outflows: same merchant key, ≥ 75 % of gaps within tolerance of a period, amounts
 * within 15 % of their median, and still active (last charge within 1.5 periods of `asOf`).
 */
export function detectRecurring(txns: readonly HistoryTxn[], asOf?: string): RecurringCharge[] {
  const groups = new Map<string, HistoryTxn[]>();
  for (const t of txns) {
    if (t.amount >= 0) continue;
    const k = merchantKey(t.description, t.counterparty);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  const end = asOf ? toDay(asOf) : lastDay(txns);
  const found: RecurringCharge[] = [];
  for (const [merchant, all] of groups) {
    const amounts = all.map((t) => -t.amount);
    const typical = median(amounts);
    // keep the charges close to the typical amount (one-off purchases at the same shop are ignored)
    const g = all.filter((t) => Math.abs(-t.amount - typical) <= 0.15 * typical).sort((a, b) => (a.date < b.date ? -1 : 1));
    const days = [...new Set(g.map((t) => toDay(t.date)))];
    if (days.length < 2) continue;
    const gaps = days.slice(1).map((d, i) => d - days[i]!);
    for (const p of PERIODS) {
      if (days.length < p.minCount) continue;
      const ok = gaps.filter((x) => Math.abs(x - p.days) <= p.tol).length / gaps.length;
      if (ok < 0.75 || end - days[days.length - 1]! > 1.5 * p.days) continue;
      const amount = Math.round(median(g.map((t) => -t.amount)));
      found.push({
        merchant,
        category: g[0]!.category ?? null,
        period: p.period,
        amount,
        monthly_cost: Math.round(amount * p.perMonth),
        first_date: g[0]!.date.slice(0, 10),
        last_date: g[g.length - 1]!.date.slice(0, 10),
        transaction_ids: g.map((t) => t.id),
      });
      break;
    }
  }
  return found.sort((a, b) => b.monthly_cost - a.monthly_cost);
}

/** Spend per category per calendar month (positive minor units) over complete months before `asOf`. */
function monthlySpend(txns: readonly HistoryTxn[], asOf: number, months: number): Map<string, { totals: number[]; ids: string[] }> {
  const last = monthIndex(asOf) - 1;
  const first = last - months + 1;
  const out = new Map<string, { totals: number[]; ids: string[] }>();
  for (const t of txns) {
    if (t.amount >= 0 || !t.category) continue;
    const m = monthIndex(toDay(t.date));
    if (m < first || m > last) continue;
    const e = out.get(t.category) ?? { totals: new Array<number>(months).fill(0), ids: [] };
    e.totals[m - first]! -= t.amount;
    e.ids.push(t.id);
    out.set(t.category, e);
  }
  return out;
}

const NOT_CANCELLABLE = new Set(["housing", "taxes", "savings", "transfers", "income", "education"]);
const DISCRETIONARY = new Set(["dining", "shopping", "entertainment", "travel", "subscriptions"]);
const FIXED = new Set(["housing", "utilities", "insurance", "taxes", "transfers", "savings", "education"]);

export interface RecommendOptions {
  asOf?: string;
  budgets?: readonly Budget[];
  /** 'FR' enables the 66 % donation reduction hint */
  taxResidence?: string;
  decimals?: number;
}

export function recommend(txns: readonly HistoryTxn[], opts: RecommendOptions = {}): Recommendation[] {
  if (txns.length === 0) return [];
  const asOf = opts.asOf ? toDay(opts.asOf) : lastDay(txns);
  const money = (x: number | bigint) => formatMinor(x, opts.decimals ?? 2);
  const recs: Recommendation[] = [];

  // 1. Recurring charges.
  for (const r of detectRecurring(txns, fromDay(asOf))) {
    if (r.category && NOT_CANCELLABLE.has(r.category)) continue; // rent, taxes, savings: not a subscription to review
    recs.push({
      type: "subscription",
      title: `${r.period[0]!.toUpperCase()}${r.period.slice(1)} charge: ${r.merchant}`,
      detail: `${money(r.amount)} charged ${r.period} since ${r.first_date} (${r.transaction_ids.length} payments, last ${r.last_date}). Cancelling it would save about ${money(r.monthly_cost)} a month.`,
      estimated_monthly_impact: r.monthly_cost,
      evidence: r.transaction_ids.slice(-12),
    });
  }

  // 2. Budget suggestions and 4. savings potential from the last 6 complete months.
  const spend = monthlySpend(txns, asOf, 6);
  const budgeted = new Set((opts.budgets ?? []).map((b) => b.category));
  for (const [cat, { totals, ids }] of spend) {
    const active = totals.filter((x) => x > 0).length;
    if (active < 3 || FIXED.has(cat)) continue;
    const med = median(totals);
    const avg = mean(totals);
    if (!budgeted.has(cat)) {
      const suggested = Math.ceil(med / 1000) * 1000; // round up to 10 major units
      recs.push({
        type: "budget",
        title: `Set a monthly ${cat} budget of ${money(suggested)}`,
        detail: `Your ${cat} spending over the last 6 months: median ${money(Math.round(med))}, average ${money(Math.round(avg))} a month. A budget at the median keeps typical months unchanged and caps the expensive ones.`,
        estimated_monthly_impact: Math.max(0, Math.round(avg - suggested)),
        evidence: ids.slice(-20),
      });
    }
    const recent = mean(totals.slice(-3));
    if (DISCRETIONARY.has(cat) && recent > 1.2 * med && recent - med >= 2000) {
      recs.push({
        type: "savings",
        title: `${cat[0]!.toUpperCase()}${cat.slice(1)} spending is up ${Math.round((recent / med - 1) * 100)} %`,
        detail: `The last 3 months averaged ${money(Math.round(recent))} against a usual ${money(Math.round(med))}. Returning to your usual level would free about ${money(Math.round(recent - med))} a month.`,
        estimated_monthly_impact: Math.round(recent - med),
        evidence: ids.slice(-20),
      });
    }
  }

  // Savings potential: a steady surplus that is not being saved.
  const monthIdx = monthIndex(asOf);
  const net: number[] = [];
  let saved = 0;
  for (let k = 1; k <= 6; k++) {
    const m = monthIdx - k;
    const inMonth = txns.filter((t) => monthIndex(toDay(t.date)) === m);
    net.push(inMonth.reduce((a, t) => a + t.amount, 0));
    saved += inMonth.filter((t) => t.category === "savings").reduce((a, t) => a - t.amount, 0);
  }
  const surplus = median(net);
  if (surplus > 5000 && saved < surplus) {
    const amount = Math.floor((surplus * 0.5) / 1000) * 1000;
    if (amount > 0)
      recs.push({
        type: "savings",
        title: `Move ${money(amount)} a month to savings`,
        detail: `Your account grew by a median ${money(Math.round(surplus))} a month over the last 6 months. A standing transfer of half of it to a savings account puts it to work.`,
        estimated_monthly_impact: amount,
        evidence: [],
      });
  }

  // 3. Overspending against budgets in the current month (spent so far, and the pace).
  const monthStart = asOf - dayOfMonth(asOf) + 1;
  const dim = daysInMonth(asOf);
  for (const b of opts.budgets ?? []) {
    const items = txns.filter((t) => t.category === b.category && t.amount < 0 && toDay(t.date) >= monthStart && toDay(t.date) <= asOf);
    // Totals stated in the text are summed exactly (a month's entries can add up past 2^53); the
    // estimates derived from them stay plain numbers.
    const spentExact = items.reduce((a, t) => a - BigInt(t.amount), 0n);
    const spent = Number(spentExact);
    const projected = Math.round((spent / dayOfMonth(asOf)) * dim);
    if (spent > b.amount || (dayOfMonth(asOf) >= 7 && projected > 1.1 * b.amount)) {
      const over = spent > b.amount;
      recs.push({
        type: "overspending",
        title: over ? `${b.category} budget exceeded` : `${b.category} budget on track to be exceeded`,
        detail: `${money(spentExact)} spent on ${b.category} since ${fromDay(monthStart)} against a budget of ${money(b.amount)}; at this pace the month ends at ${money(projected)}.`,
        estimated_monthly_impact: Math.max(0, Math.max(projected, spent) - b.amount),
        evidence: items.map((t) => t.id),
      });
    }
  }

  // 5. Tax: donations over the last 12 months (France: 66 % income-tax reduction, CGI art. 200).
  const yearAgo = addMonths(asOf, -12);
  const gifts = txns.filter((t) => t.category === "charity" && t.amount < 0 && toDay(t.date) > yearAgo);
  if (gifts.length && opts.taxResidence === "FR") {
    const totalExact = gifts.reduce((a, t) => a - BigInt(t.amount), 0n);
    const total = Number(totalExact);
    recs.push({
      type: "tax",
      title: "Declare your donations",
      detail: `${money(totalExact)} of donations in the last 12 months qualify for a 66 % income-tax reduction (75 % for aid to people in difficulty) within 20 % of taxable income: keep the receipts and declare them (form 2042, boxes 7UF/7UD).`,
      estimated_monthly_impact: Math.round((total * 0.66) / 12),
      evidence: gifts.map((t) => t.id),
    });
  }

  return recs.sort((a, b) => b.estimated_monthly_impact - a.estimated_monthly_impact);
}
