/**
 * Recommendations from a transaction history: recurring charges (subscriptions), budget
 * suggestions, overspending against budgets, savings potential and a tax hint. Each carries
 * evidence ids and an estimated monthly impact in integer minor units. Pure.
 */
import { addMonths, daysInMonth, dayOfMonth, fromDay, monthIndex, toDay } from "./dates";
import type { HistoryTxn } from "./history";
import { mean, median } from "./stats";
import { formatMinor, merchantKey, merchantTokens } from "./text";

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
  period: Period;
  amount: number; // typical (latest) charge, positive minor units
  monthly_cost: number;
  first_date: string;
  last_date: string;
  /** when the next charge is expected (last charge + one period) */
  next_date: string;
  transaction_ids: string[];
}

export type Period = "weekly" | "monthly" | "quarterly" | "yearly";

/**
 * Gaps accepted between consecutive charges (days): one period, or two when one charge is missing
 * (a failed card, a skipped month); `min` charges at least. Calendar months run 28–31 days and a debit
 * moves a few days around weekends and holidays, hence the widths.
 */
const PERIODS: ReadonlyArray<{ period: Period; days: number; tol: number; min: number; perMonth: number }> = [
  { period: "weekly", days: 7, tol: 1, min: 6, perMonth: 52 / 12 },
  { period: "monthly", days: 30.44, tol: 6, min: 3, perMonth: 1 },
  { period: "quarterly", days: 91.3, tol: 10, min: 3, perMonth: 1 / 3 },
  { period: "yearly", days: 365.25, tol: 20, min: 2, perMonth: 1 / 12 },
];
/** Charges of one subscription cost the same within this (rounding, VAT changes); a larger price change starts a new run. */
const AMOUNT_TOLERANCE = 0.03;
/** Other charges at the merchant at about the same price inside a run, per charge of it: above this it is shopping, not a subscription. */
const MAX_OTHERS_PER_CHARGE = 0.5;

/** The latest transaction day (a loop, not Math.max(...days): spreading ~125 000 arguments throws RangeError). */
const lastDay = (txns: readonly HistoryTxn[]): number => txns.reduce((max, t) => Math.max(max, toDay(t.date)), -Infinity);

/** Longest common prefix of token lists ("QOBUZ PXKQWZ", "QOBUZ MNBVCX" → "QOBUZ"), at most three tokens. */
function commonName(lists: readonly string[][]): string {
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const w = lists[0]![i];
    if (!w || !lists.every((l) => l[i] === w)) break;
    out.push(w);
  }
  return out.join(" ");
}

interface Charge {
  t: HistoryTxn;
  tokens: string[];
  day: number;
  abs: number;
}

type PeriodSpec = (typeof PERIODS)[number];

/** Whether `gap` days is one period (or two: one charge missing) within tolerance. */
const fits = (gap: number, p: PeriodSpec) => Math.abs(gap - p.days) <= p.tol || Math.abs(gap - 2 * p.days) <= p.tol;

/** The longest run of charges spaced one period apart (two for a missing one), from each start in date order. */
function longestChain(charges: readonly Charge[], p: PeriodSpec): number[] {
  let best: number[] = [];
  for (let s = 0; s < charges.length; s++) {
    const chain = [s];
    let last = s;
    for (;;) {
      let next = -1;
      let miss = Infinity;
      for (let j = last + 1; j < charges.length; j++) {
        const gap = charges[j]!.day - charges[last]!.day;
        if (gap > 2 * p.days + p.tol) break;
        if (!fits(gap, p)) continue;
        const off = Math.min(Math.abs(gap - p.days), Math.abs(gap - 2 * p.days) + p.tol); // prefer no missing charge
        if (off < miss) [next, miss] = [j, off];
      }
      if (next < 0) break;
      chain.push(next);
      last = next;
    }
    // longest wins; at equal length, the run that shares more of its name (AMAZON PRIME over AMAZON)
    const named = (c: number[]) => commonName(c.map((i) => charges[i]!.tokens)).length;
    if (chain.length > best.length || (chain.length === best.length && named(chain) > named(best))) best = chain;
  }
  return best;
}

/** Charges at about the same price: sorted by amount, split where the price moves by more than the tolerance. */
function priceClusters(charges: readonly Charge[]): Charge[][] {
  const byAmount = [...charges].sort((a, b) => a.abs - b.abs || a.day - b.day);
  const out: Charge[][] = [];
  for (const c of byAmount) {
    const cur = out[out.length - 1];
    if (cur && c.abs - cur[0]!.abs <= AMOUNT_TOLERANCE * cur[0]!.abs) cur.push(c);
    else out.push([c]);
  }
  return out.map((g) => g.sort((a, b) => a.day - b.day || (a.t.id < b.t.id ? -1 : 1)));
}

/**
 * The merchant a charge belongs to, per account: its first meaningful token, so a reference that changes every
 * month ("QOBUZ PXKQWZ", "QOBUZ MNBVCX") does not split one subscription; prices then separate
 * what is charged there (AMAZON PRIME from other AMAZON purchases).
 */
function merchantGroups(out: readonly HistoryTxn[]): Map<string, Charge[]> {
  const groups = new Map<string, Charge[]>();
  for (const t of out) {
    const tk = merchantTokens(t.description, t.counterparty);
    const k = `${t.account_id ?? ""}|${tk[0] ?? merchantKey(t.description, t.counterparty)}`;
    const c = { t, tokens: tk, day: toDay(t.date), abs: -t.amount };
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  return groups;
}

/**
 * Recurring outflows: per merchant, charges at a stable price (within AMOUNT_TOLERANCE) spaced one
 * period apart (weekly, monthly, quarterly, yearly; one missing or shifted charge tolerated), not
 * drowned in other purchases at that price there, and still active at `asOf` (last charge within 1.5
 * periods). Each comes with its period, amount, next expected date and its charges as evidence.
 */
export function detectRecurring(txns: readonly HistoryTxn[], asOf?: string): RecurringCharge[] {
  const end = asOf ? toDay(asOf) : lastDay(txns);
  const found: RecurringCharge[] = [];
  for (const all of merchantGroups(txns.filter((t) => t.amount < 0)).values()) {
    if (all.length < 2) continue;
    for (const cluster of priceClusters(all)) {
      // a same-day repeat (a duplicate charge) is no period of its own
      let pool = cluster.filter((c, i) => i === 0 || c.day !== cluster[i - 1]!.day);
      for (let guard = 0; guard < 3 && pool.length >= 2; guard++) {
        let hit: { p: PeriodSpec; chain: number[] } | null = null;
        for (const p of PERIODS) {
          const chain = longestChain(pool, p);
          if (chain.length < p.min) continue;
          const med = median(chain.map((i) => pool[i]!.abs));
          const first = pool[chain[0]!]!.day;
          const last = pool[chain[chain.length - 1]!]!.day;
          const inChain = new Set(chain.map((i) => pool[i]!));
          // A run of two or three charges a quarter or a year apart is a coincidence at a shop you visit
          // often, or a seasonal bill: those periods need nothing much else under the same name in between.
          const rare = p.days > 60;
          const name = commonName(chain.map((i) => pool[i]!.tokens)).split(" ");
          const sameName = (c: Charge) => name.every((w, k) => c.tokens[k] === w);
          const others = all.filter(
            (c) => !inChain.has(c) && c.day >= first && c.day <= last && (rare ? sameName(c) : Math.abs(c.abs - med) <= 0.1 * med),
          ).length;
          if (others > (rare ? 1 : MAX_OTHERS_PER_CHARGE) * chain.length) continue;
          hit = { p, chain };
          break;
        }
        if (!hit) break;
        const { p, chain } = hit;
        const g = chain.map((i) => pool[i]!);
        pool = pool.filter((_, i) => !chain.includes(i));
        const lastCharge = g[g.length - 1]!;
        if (end - lastCharge.day > 1.5 * p.days + p.tol) continue; // cancelled, or stopped
        const months = { weekly: 0, monthly: 1, quarterly: 3, yearly: 12 }[p.period];
        found.push({
          merchant: commonName(g.map((c) => c.tokens)) || merchantKey(lastCharge.t.description, lastCharge.t.counterparty),
          category: lastCharge.t.category ?? null,
          period: p.period,
          amount: lastCharge.abs,
          monthly_cost: Math.round(lastCharge.abs * p.perMonth),
          first_date: g[0]!.t.date.slice(0, 10),
          last_date: lastCharge.t.date.slice(0, 10),
          next_date: fromDay(months ? addMonths(lastCharge.day, months) : lastCharge.day + 7),
          transaction_ids: g.map((c) => c.t.id),
        });
      }
    }
  }
  return found.sort((a, b) => b.monthly_cost - a.monthly_cost || (a.merchant < b.merchant ? -1 : 1));
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
      detail: `${money(r.amount)} charged ${r.period} since ${r.first_date} (${r.transaction_ids.length} payments, last ${r.last_date}, next expected ${r.next_date}). Cancelling it would save about ${money(r.monthly_cost)} a month.`,
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
