/**
 * Anomaly scores: each outflow is compared with the same merchant's usual amounts (and, when the
 * merchant has too little history, with its category's), using median/MAD on log amounts, so a
 * score reads like a robust z-score. Same-day repeats of a normally periodic charge score as
 * possible duplicates. Pure: history in, ranked list out.
 */
import { toDay } from './dates';
import { mad, median } from './stats';
import { formatMinor, merchantKey } from './text';

export interface AnomalyTxn {
  id: string;
  date: string;
  amount: number;
  description: string;
  counterparty?: string | null;
  category?: string | null;
}

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

/** Modified z-score of log|amount| against a group, with a floor on spread (identical amounts). */
function logScore(x: number, group: number[]): number {
  const logs = group.map((a) => Math.log(Math.abs(a)));
  const m = median(logs);
  const spread = Math.max(1.4826 * mad(logs, m), 0.1); // ≥ ~10 % variation assumed
  return (Math.log(Math.abs(x)) - m) / spread;
}

export function detectAnomalies(txns: readonly AnomalyTxn[], opts: AnomalyOptions = {}): Anomaly[] {
  const minScore = opts.minScore ?? 3.5;
  const from = opts.from ? toDay(opts.from) : -Infinity;
  const to = opts.to ? toDay(opts.to) : Infinity;
  const out = txns.filter((t) => t.amount < 0);
  const keyOf = new Map(out.map((t) => [t.id, merchantKey(t.description, t.counterparty)]));
  const byMerchant = new Map<string, AnomalyTxn[]>();
  const byCategory = new Map<string, AnomalyTxn[]>();
  for (const t of out) {
    const k = keyOf.get(t.id)!;
    byMerchant.set(k, [...(byMerchant.get(k) ?? []), t]);
    if (t.category) byCategory.set(t.category, [...(byCategory.get(t.category) ?? []), t]);
  }

  const results: Anomaly[] = [];
  for (const t of out) {
    const day = toDay(t.date);
    if (day < from || day > to) continue;
    const key = keyOf.get(t.id)!;
    const peers = byMerchant.get(key)!.filter((p) => p.id !== t.id);
    let score = 0;
    let reason = 'within your usual range';

    if (peers.length >= MIN_GROUP) {
      score = logScore(t.amount, peers.map((p) => p.amount));
      const ratio = Math.abs(t.amount) / median(peers.map((p) => Math.abs(p.amount)));
      if (score > 0) reason = `${ratio.toFixed(1)}× your usual spend at ${key}`;
    } else if (t.category && (byCategory.get(t.category)?.length ?? 0) > MIN_GROUP) {
      const cat = byCategory.get(t.category)!.filter((p) => p.id !== t.id).map((p) => p.amount);
      score = logScore(t.amount, cat);
      const ratio = Math.abs(t.amount) / median(cat.map(Math.abs));
      if (score > 0) reason = `${ratio.toFixed(1)}× your usual ${t.category} spend (${peers.length ? 'rare' : 'first'} payment to ${key})`;
    }

    // Frequency: the same amount to the same merchant on the same day, where payments are usually ≥ 5 days apart.
    const sameDay = peers.filter((p) => p.amount === t.amount && toDay(p.date) === day);
    if (sameDay.length > 0 && peers.length >= 2) {
      const days = peers.map((p) => toDay(p.date)).sort((a, b) => a - b);
      const gaps = days.slice(1).map((d, i) => d - days[i]!).filter((g) => g > 0);
      if (gaps.length && median(gaps) >= 5) {
        const dupScore = 4 + Math.min(4, median(gaps) / 10);
        // report once per pair: the later id carries the flag
        if (dupScore > score && sameDay.every((p) => p.id < t.id)) {
          score = dupScore;
          reason = `possible duplicate charge: ${formatMinor(-t.amount, opts.decimals)} at ${key} twice on ${t.date} (usually every ${Math.round(median(gaps))} days)`;
        }
      }
    }
    if (score >= minScore) results.push({ transaction_id: t.id, score: Math.round(score * 100) / 100, reason });
  }
  return results.sort((a, b) => b.score - a.score || (a.transaction_id < b.transaction_id ? -1 : 1));
}
