/**
 * Pure date arithmetic for budgets and reports. Dates are ISO `YYYY-MM-DD` strings in UTC; every
 * period is inclusive of both ends, as `entries.occurred_date BETWEEN start AND end` reads it.
 */

import { isIsoDate } from "#core";

export { isIsoDate };

const DAY_MS = 86_400_000;

export type Interval = "day" | "week" | "month";
export const INTERVALS = ["day", "week", "month"] as const;

/** Most buckets one cash-flow report may have (e.g. 20 years of months, ~2.7 years of days). */
export const MAX_BUCKETS = 1000;

const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const ms = (date: string) => Date.parse(`${date}T00:00:00Z`);

export const todayUtc = (now: Date = new Date()) => now.toISOString().slice(0, 10);

export function addDays(date: string, n: number): string {
  return fmt(ms(date) + n * DAY_MS);
}

/** First day of the month `n` months after the month of `date` (n may be negative). */
export function addMonths(date: string, n: number): string {
  const d = new Date(ms(date));
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const out = new Date(0);
  out.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
  return fmt(out.getTime());
}

export const monthStart = (date: string) => `${date.slice(0, 7)}-01`;
export const monthEnd = (date: string) => addDays(addMonths(date, 1), -1);

/** The calendar month (UTC) containing `now`: the period of a monthly budget. */
export function monthBounds(now: Date = new Date()): { period_start: string; period_end: string } {
  const today = todayUtc(now);
  return { period_start: monthStart(today), period_end: monthEnd(today) };
}

/** Start of the bucket holding `date`: itself (day), its ISO week's Monday (week), its month's 1st (month). */
export function bucketStart(date: string, interval: Interval): string {
  if (interval === "day") return date;
  if (interval === "month") return monthStart(date);
  const weekday = (new Date(ms(date)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(date, -weekday);
}

function nextBucket(start: string, interval: Interval): string {
  if (interval === "day") return addDays(start, 1);
  if (interval === "week") return addDays(start, 7);
  return addMonths(start, 1);
}

/**
 * Every bucket start from the bucket of `from` to the bucket of `to`, in order; null when there would
 * be more than `max` of them. Comparisons are on timestamps, never on strings.
 */
export function bucketStarts(from: string, to: string, interval: Interval, max = MAX_BUCKETS): string[] | null {
  const last = ms(bucketStart(to, interval));
  const out: string[] = [];
  for (let b = bucketStart(from, interval); ms(b) <= last; b = nextBucket(b, interval)) {
    if (out.length >= max) return null;
    out.push(b);
  }
  return out;
}

/**
 * The SQLite expression that maps `column` (a YYYY-MM-DD text) to its bucket start, matching
 * bucketStart() exactly. `column` is a trusted identifier, never user input.
 */
export function bucketSql(column: string, interval: Interval): string {
  if (interval === "day") return column;
  if (interval === "month") return `substr(${column}, 1, 7) || '-01'`;
  return `date(${column}, '-' || ((CAST(strftime('%w', ${column}) AS INTEGER) + 6) % 7) || ' days')`;
}

export interface Range {
  from: string;
  to: string;
}

export type RangeResult = { ok: true; range: Range } | { ok: false; path: "from" | "to"; message: string };

/**
 * Resolve an optional from/to pair: `to` defaults to today, `from` to `defaultFrom(to)`.
 * Both must be real dates and from ≤ to.
 */
export function resolveRange(
  from: string | undefined,
  to: string | undefined,
  defaultFrom: (to: string) => string,
  now: Date = new Date(),
): RangeResult {
  if (from !== undefined && !isIsoDate(from)) return { ok: false, path: "from", message: "must be a date YYYY-MM-DD" };
  if (to !== undefined && !isIsoDate(to)) return { ok: false, path: "to", message: "must be a date YYYY-MM-DD" };
  const end = to ?? todayUtc(now);
  const start = from ?? defaultFrom(end);
  if (ms(start) > ms(end)) return { ok: false, path: "from", message: "must not be after `to`" };
  return { ok: true, range: { from: start, to: end } };
}
