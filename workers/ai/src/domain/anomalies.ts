/**
 * Anomaly scores: each outflow is compared with the same merchant's usual amounts (median/MAD on log
 * amounts, so a score reads like a robust z-score). A merchant with too little history cannot say what
 * is usual there, so a first or rare payment is compared with the account's own outflows (what this
 * person usually pays), with an amount-jump against the few earlier payments at that merchant, a
 * bonus for a merchant never used before and for a payment that is a large share of a month's income.
 * Same-day repeats of a normally periodic charge score as possible duplicates. Pure: history in,
 * ranked list out.
 */
import { toDay } from "./dates";
import type { HistoryTxn } from "./history";
import { median } from "./stats";
import { formatMinor, merchantKey } from "./text";

/** Scores at or above this are reported (Iglewicz & Hoaglin's modified z-score cut-off). */
export const ANOMALY_THRESHOLD = 3.5;

export interface Anomaly {
  transaction_id: string;
  score: number;
  reason: string;
}

export interface AnomalyOptions {
  /** only transactions dated within [from, to] are reported; all are used as history */
  from?: string;
  to?: string;
  /** report scores at or above this (3.5 is Iglewicz & Hoaglin's modified z-score cut-off) */
  minScore?: number;
  /** number of decimals in human amounts (currency minor unit) */
  decimals?: number;
  /** currency code shown after amounts in reasons */
  currency?: string;
}

const MIN_GROUP = 4; // fewer comparable payments than this: no robust baseline
/** Spread floor (log units) of the account's outflows: an account of near-identical payments still varies ~30 %. */
const ACCOUNT_SPREAD_FLOOR = 0.3;
/** Added to a first payment's account score: nothing at that merchant says the amount is usual. */
export const NEW_MERCHANT_BONUS = 0.75;
/** Added for a merchant used only a few times before (MIN_GROUP − 1 or fewer). */
const RARE_MERCHANT_BONUS = 0.25;
/** A payment above this share of a month's income gets a bonus (log2 of its multiple of it, capped). */
const INCOME_SHARE = 0.25;
const INCOME_BONUS_CAP = 1.5;

const byValue = (a: number, b: number) => a - b;

/** First index of `v` in ascending `s` (binary search). */
function lowerBound(s: readonly number[], v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Median of ascending `s` without one occurrence of `v` (which `s` holds), by index arithmetic:
 * the same value `median(peers)` gives, in O(log n) instead of a filter and a sort per transaction.
 */
function medianWithout(s: readonly number[], v: number): number {
  const skip = lowerBound(s, v);
  const at = (k: number) => s[k < skip ? k : k + 1]!;
  const pos = (s.length - 2) / 2;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return at(lo) + (at(hi) - at(lo)) * (pos - lo);
}

/** A merchant's or category's amounts, sorted once; each transaction is scored against the others. */
class Baseline {
  readonly size: number;
  private readonly logs: number[];
  private readonly abs: number[];
  /** sorted |log − m| per leave-one-out median m (only a few distinct m per group) */
  private readonly deviations = new Map<number, number[]>();

  constructor(amounts: readonly number[]) {
    this.size = amounts.length;
    this.abs = amounts.map(Math.abs).sort(byValue);
    this.logs = this.abs.map(Math.log); // log is monotonic: still sorted
  }

  /** Modified z-score of log|amount| against the other members, with a floor on spread (identical amounts), and amount ÷ their median. */
  score(amount: number): { score: number; ratio: number } {
    const x = Math.log(Math.abs(amount));
    const m = medianWithout(this.logs, x);
    let dev = this.deviations.get(m);
    if (!dev) this.deviations.set(m, (dev = this.logs.map((l) => Math.abs(l - m)).sort(byValue)));
    const spread = Math.max(1.4826 * medianWithout(dev, Math.abs(x - m)), 0.1); // ≥ ~10 % variation assumed
    return { score: (x - m) / spread, ratio: Math.abs(amount) / medianWithout(this.abs, Math.abs(amount)) };
  }
}

/** Median gap in days between a merchant's distinct payment days (null with fewer than two days). */
function typicalGap(days: readonly number[]): number | null {
  const distinct = [...new Set(days)].sort(byValue);
  const gaps: number[] = [];
  for (let i = 1; i < distinct.length; i++) gaps.push(distinct[i]! - distinct[i - 1]!);
  return gaps.length ? median(gaps) : null;
}

/** Groups by key, pushing into each group's array. */
function groupBy<T>(items: readonly T[], key: (t: T) => string | null | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    if (k == null) continue;
    const g = out.get(k);
    if (g) g.push(t);
    else out.set(k, [t]);
  }
  return out;
}

/** Applies `f` to each group of a map. */
const mapValues = <T, V>(m: Map<string, T>, f: (v: T) => V) => new Map([...m].map(([k, v]) => [k, f(v)] as const));

/** Robust centre and spread of log |amount| over the account's outflows, and the median outflow. */
function accountBaseline(out: readonly HistoryTxn[]): { centre: number; spread: number; usual: number } | null {
  if (out.length <= MIN_GROUP) return null;
  const logs = out.map((t) => Math.log(-t.amount)).sort(byValue);
  const centre = median(logs);
  const dev = logs.map((l) => Math.abs(l - centre));
  return { centre, spread: Math.max(1.4826 * median(dev), ACCOUNT_SPREAD_FLOOR), usual: Math.exp(centre) };
}

/** Inflows per month over the history's span (null under four weeks of history or no inflow). */
function monthlyIncome(txns: readonly HistoryTxn[], firstDay: number, lastDay: number): number | null {
  const months = (lastDay - firstDay + 1) / 30.44;
  if (months < 0.9) return null;
  const total = txns.reduce((a, t) => (t.amount > 0 ? a + t.amount : a), 0);
  return total > 0 ? total / months : null;
}

const ratioText = (r: number) => (r >= 10 ? r.toFixed(0) : r.toFixed(1));

export function detectAnomalies(txns: readonly HistoryTxn[], opts: AnomalyOptions = {}): Anomaly[] {
  const minScore = opts.minScore ?? ANOMALY_THRESHOLD;
  const from = opts.from ? toDay(opts.from) : -Infinity;
  const to = opts.to ? toDay(opts.to) : Infinity;
  const money = (minor: number) => `${formatMinor(minor, opts.decimals)}${opts.currency ? ` ${opts.currency}` : ""}`;
  const out = txns.filter((t) => t.amount < 0);
  const keyOf = new Map(out.map((t) => [t.id, merchantKey(t.description, t.counterparty)]));
  const dayOf = new Map(txns.map((t) => [t.id, toDay(t.date)]));
  const byMerchant = groupBy(out, (t) => keyOf.get(t.id));
  const byCategory = groupBy(out, (t) => t.category);
  const merchantBaseline = mapValues(byMerchant, (g) => new Baseline(g.map((p) => p.amount)));
  const categoryBaseline = mapValues(byCategory, (g) => new Baseline(g.map((p) => p.amount)));
  const merchantGap = mapValues(byMerchant, (g) => typicalGap(g.map((p) => dayOf.get(p.id)!)));
  const account = accountBaseline(out);
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (const d of dayOf.values()) [firstDay, lastDay] = [Math.min(firstDay, d), Math.max(lastDay, d)];
  const income = monthlyIncome(txns, firstDay, lastDay);
  // Same merchant, same day, same amount (ids are unique): how many, and the latest id, which carries a duplicate flag.
  const repeatKey = (t: HistoryTxn) => `${keyOf.get(t.id)}|${dayOf.get(t.id)}|${t.amount}`;
  const repeats = mapValues(groupBy(out, repeatKey), (g) => ({
    count: g.length,
    latest: g.reduce((a, p) => (p.id > a ? p.id : a), g[0]!.id),
  }));

  const results: (Anomaly & { abs: number })[] = [];
  for (const t of out) {
    const day = dayOf.get(t.id)!;
    if (day < from || day > to) continue;
    const key = keyOf.get(t.id)!;
    const peers = byMerchant.get(key)!;
    const peerCount = peers.length - 1;
    let score = 0;
    let reason = "within your usual range";

    if (peerCount >= MIN_GROUP) {
      const s = merchantBaseline.get(key)!.score(t.amount);
      score = s.score;
      if (score > 0) reason = `${s.ratio.toFixed(1)}× your usual spend at ${key}`;
    } else if (account) {
      // A first or rare payment: what this person usually pays, then what they paid here before.
      const x = Math.log(-t.amount);
      const usualRatio = -t.amount / account.usual;
      let base = (x - account.centre) / account.spread;
      let jump = 0;
      if (peerCount > 0) {
        const before = median(peers.filter((p) => p.id !== t.id).map((p) => -p.amount));
        jump = -t.amount / before;
        base = Math.min(base, Math.log(jump) / account.spread); // a yearly charge at its usual price is no surprise
      }
      const share = income ? -t.amount / income : 0;
      const incomeBonus = share > INCOME_SHARE ? Math.min(INCOME_BONUS_CAP, Math.log2(share / INCOME_SHARE)) : 0;
      if (base > 0) score = base + (peerCount ? RARE_MERCHANT_BONUS : NEW_MERCHANT_BONUS) + incomeBonus;
      else score = base;
      // The category's usual amounts still count when they say more (a tight category, a loose account).
      const cat = t.category ? categoryBaseline.get(t.category) : undefined;
      const catScore = peerCount === 0 && cat && cat.size > MIN_GROUP ? cat.score(t.amount) : null;
      if (catScore && catScore.score > score) score = catScore.score;
      if (score > 0) {
        const where =
          peerCount === 0
            ? "a merchant you never used before"
            : `a merchant you used ${peerCount === 1 ? "once" : `${peerCount} times`} before`;
        reason =
          `${money(-t.amount)} at ${key}, ${where}: ${ratioText(usualRatio)}× your usual payment (${money(Math.round(account.usual))})` +
          (peerCount > 0 ? `, ${ratioText(jump)}× what you paid there before` : "") +
          (catScore && catScore.ratio >= 2 ? `, ${ratioText(catScore.ratio)}× your usual ${t.category} spend` : "") +
          (share >= INCOME_SHARE ? `, ${Math.round(share * 100)} % of a month's income` : "");
      }
    }

    // Frequency: the same amount to the same merchant on the same day, where payments are usually ≥ 5 days apart.
    // A same-day peer keeps the merchant's set of payment days unchanged without this one, so the gap is the group's.
    const repeat = repeats.get(repeatKey(t))!;
    if (repeat.count > 1 && peerCount >= 2) {
      const gap = merchantGap.get(key)!;
      if (gap !== null && gap >= 5) {
        const dupScore = 4 + Math.min(4, gap / 10);
        // report once per pair: the later id carries the flag
        if (dupScore > score && repeat.latest === t.id) {
          score = dupScore;
          reason = `possible duplicate charge: ${money(-t.amount)} at ${key} twice on ${t.date} (usually every ${Math.round(gap)} days)`;
        }
      }
    }
    if (score >= minScore) results.push({ transaction_id: t.id, score: Math.round(score * 100) / 100, reason, abs: -t.amount });
  }
  // Stable: score, then the larger amount, then the id (equal inputs always give the same order).
  return results
    .sort((a, b) => b.score - a.score || b.abs - a.abs || (a.transaction_id < b.transaction_id ? -1 : 1))
    .map(({ abs: _, ...a }) => a);
}
