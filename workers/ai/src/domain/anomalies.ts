/**
 * Anomaly scores: each outflow is compared with the same merchant's usual amounts (and, when the
 * merchant has too little history, with its category's), using median/MAD on log amounts, so a
 * score reads like a robust z-score. Same-day repeats of a normally periodic charge score as
 * possible duplicates. Pure: history in, ranked list out.
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
}

const MIN_GROUP = 4; // fewer comparable payments than this: no robust baseline

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

export function detectAnomalies(txns: readonly HistoryTxn[], opts: AnomalyOptions = {}): Anomaly[] {
  const minScore = opts.minScore ?? ANOMALY_THRESHOLD;
  const from = opts.from ? toDay(opts.from) : -Infinity;
  const to = opts.to ? toDay(opts.to) : Infinity;
  const out = txns.filter((t) => t.amount < 0);
  const keyOf = new Map(out.map((t) => [t.id, merchantKey(t.description, t.counterparty)]));
  const dayOf = new Map(out.map((t) => [t.id, toDay(t.date)]));
  const byMerchant = groupBy(out, (t) => keyOf.get(t.id));
  const byCategory = groupBy(out, (t) => t.category);
  const merchantBaseline = mapValues(byMerchant, (g) => new Baseline(g.map((p) => p.amount)));
  const categoryBaseline = mapValues(byCategory, (g) => new Baseline(g.map((p) => p.amount)));
  const merchantGap = mapValues(byMerchant, (g) => typicalGap(g.map((p) => dayOf.get(p.id)!)));
  // Same merchant, same day, same amount (ids are unique): how many, and the latest id, which carries a duplicate flag.
  const repeatKey = (t: HistoryTxn) => `${keyOf.get(t.id)}|${dayOf.get(t.id)}|${t.amount}`;
  const repeats = mapValues(groupBy(out, repeatKey), (g) => ({
    count: g.length,
    latest: g.reduce((a, p) => (p.id > a ? p.id : a), g[0]!.id),
  }));

  const results: Anomaly[] = [];
  for (const t of out) {
    const day = dayOf.get(t.id)!;
    if (day < from || day > to) continue;
    const key = keyOf.get(t.id)!;
    const peerCount = merchantBaseline.get(key)!.size - 1;
    let score = 0;
    let reason = "within your usual range";

    if (peerCount >= MIN_GROUP) {
      const s = merchantBaseline.get(key)!.score(t.amount);
      score = s.score;
      if (score > 0) reason = `${s.ratio.toFixed(1)}× your usual spend at ${key}`;
    } else if (t.category && categoryBaseline.get(t.category)!.size > MIN_GROUP) {
      const s = categoryBaseline.get(t.category)!.score(t.amount);
      score = s.score;
      if (score > 0) reason = `${s.ratio.toFixed(1)}× your usual ${t.category} spend (${peerCount ? "rare" : "first"} payment to ${key})`;
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
          reason = `possible duplicate charge: ${formatMinor(-t.amount, opts.decimals)} at ${key} twice on ${t.date} (usually every ${Math.round(gap)} days)`;
        }
      }
    }
    if (score >= minScore) results.push({ transaction_id: t.id, score: Math.round(score * 100) / 100, reason });
  }
  return results.sort((a, b) => b.score - a.score || (a.transaction_id < b.transaction_id ? -1 : 1));
}
