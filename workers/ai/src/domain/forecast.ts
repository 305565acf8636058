/**
 * Cash-flow forecast: predicted end-of-day balance for 1–365 days after `as_of`.
 *
 * Daily net flows are decomposed into
 *   day-of-month profile  median flow per calendar day over the last 12 months (salary, rent,
 *                         subscriptions; a median ignores one-off outliers and missed months)
 *   day-of-week profile   winsorised mean of what is left, per weekday, over the last 26 weeks
 *   level + trend         winsorised mean of the rest over 180 days, plus a Theil–Sen slope of
 *                         30-day block means (capped so it cannot run away over a year)
 * and the balance is the cumulative sum. The 80 % interval is split-conformal per horizon step: the
 * model is refitted at rolling origins (the same day of the month, 1–18 months back), each backtest's balance errors
 * are kept per step h, how fast they grow with h is fitted on them (so the interval widens as fast as
 * this account's errors do, no faster), and the conformal q10/q90 of the scaled errors set its width.
 * Only the last FIT_DAYS (~3 years) before `as_of` are fitted; earlier flows only set the opening balance.
 * Plain TS arithmetic; amounts are estimates until rounded to integer minor units at the end.
 * Actual balances are accumulated from the opening balance, never as opening + (sum of flows): each
 * partial sum is then a balance of the account, not a difference of two, so for entries dated in the
 * order they were recorded it stays within the ledger's ±(2^53 − 1) bound and exact.
 */
import { addMonths, fastDayOfMonth as dayOfMonth, fastDayOfWeek as dayOfWeek, fromDay, toDay } from "./dates";
import { mean, theilSen } from "./stats";

export interface FlowEntry {
  date: string; // YYYY-MM-DD (date-times are cut to the date)
  amount: number; // signed integer minor units
}

export interface ForecastInput {
  entries: readonly FlowEntry[];
  /** balance before the earliest entry (0 for an account whose entries start at opening) */
  opening_balance: number;
  as_of: string;
  horizon: number;
}

export interface ForecastPoint {
  date: string;
  balance: number;
  lower: number;
  upper: number;
}

export interface Forecast {
  method: string;
  as_of: string;
  points: ForecastPoint[];
}

export interface Backtest {
  /** MAE of the model's balance forecast over the last `holdout` days ÷ scale (null: too little history) */
  mase: number | null;
  /** same for the seasonal-naive baseline */
  baseline_mase: number | null;
}

export const METHOD = "robust-seasonal-decomposition";

/** Quantile of an ascending typed array (linear interpolation). */
function sortedQuantile(s: Float64Array, q: number): number {
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
/** Typed-array sorts are numeric and several times faster than Array#sort with a comparator. */
const sorted = (xs: ArrayLike<number>) => Float64Array.from(xs).sort();
const quantile = (xs: ArrayLike<number>, q: number) => sortedQuantile(sorted(xs), q);
const median = (xs: ArrayLike<number>) => quantile(xs, 0.5);
function winsorizedMean(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return 0;
  const s = sorted(xs);
  const lo = sortedQuantile(s, p);
  const hi = sortedQuantile(s, 1 - p);
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += Math.min(hi, Math.max(lo, xs[i]!));
  return sum / xs.length;
}
const Z_FALLBACK = 1.2816; // N(0,1) 90th percentile, used when history is too short to backtest

/** Daily net flows from the first entry's day to `endDay` inclusive; balance at the start. */
export interface DailySeries {
  start: number; // day number of flows[0]
  flows: number[];
  opening: number; // balance at the start of day `start`
}

export function dailySeries(entries: readonly FlowEntry[], opening_balance: number, endDay: number): DailySeries {
  const days = entries.map((e) => toDay(e.date));
  // a loop, not Math.min(...days): spreading ~125 000 arguments throws RangeError
  const start = days.reduce((min, d) => (d < min ? d : min), endDay);
  const flows = new Array<number>(Math.max(0, endDay - start + 1)).fill(0);
  entries.forEach((e, i) => {
    const d = days[i]!;
    if (d <= endDay) flows[d - start]! += e.amount;
  });
  return { start, flows, opening: opening_balance };
}

interface FlowModel {
  dom: number[]; // index 1..31
  dow: number[]; // 0..6
  level: number;
  slope: number; // per day
  endDay: number;
}

/** Fits the flow decomposition on `flows` (day numbers start..start+len-1). */
function fitFlows(start: number, flows: readonly number[]): FlowModel {
  const n = flows.length;
  const endDay = start + n - 1;
  const dom = new Array<number>(32).fill(0);
  const dow = new Array<number>(7).fill(0);
  if (n === 0) return { dom, dow, level: 0, slope: 0, endDay };

  // Day-of-month medians over the last 12 months, only when at least 2 months are observed.
  const domWindow = Math.min(n, 365);
  if (n >= 56) {
    const byDom: number[][] = Array.from({ length: 32 }, () => []);
    for (let i = n - domWindow; i < n; i++) byDom[dayOfMonth(start + i)]!.push(flows[i]!);
    for (let d = 1; d <= 31; d++) if (byDom[d]!.length >= 2) dom[d] = median(byDom[d]!);
  }
  const r1 = flows.map((y, i) => y - dom[dayOfMonth(start + i)]!);

  // Day-of-week winsorised means of what the monthly profile left.
  if (n >= 28) {
    const w0 = Math.max(0, n - 182);
    const win = r1.slice(w0);
    const lo = quantile(win, 0.02);
    const hi = quantile(win, 0.98);
    const byDow: number[][] = Array.from({ length: 7 }, () => []);
    for (let i = w0; i < n; i++) byDow[dayOfWeek(start + i)]!.push(Math.min(hi, Math.max(lo, r1[i]!)));
    const all = mean(byDow.flat());
    for (let w = 0; w < 7; w++) dow[w] = mean(byDow[w]!) - all; // centred: the level carries the mean
  }
  const r2 = r1.map((y, i) => y - dow[dayOfWeek(start + i)]!);

  const level = winsorizedMean(r2.slice(Math.max(0, n - 180)), 0.05);

  // Trend: Theil–Sen over 30-day block means (oldest first), ending at endDay.
  const blocks: number[] = [];
  for (let end = n; end - 30 >= 0 && blocks.length < 24; end -= 30) blocks.unshift(winsorizedMean(r2.slice(end - 30, end), 0.02));
  const slope = blocks.length >= 6 ? theilSen(blocks) / 30 : 0;
  return { dom, dow, level, slope, endDay };
}

/** Expected net flow h days after the model's last day. */
function flowAt(m: FlowModel, h: number): number {
  const day = m.endDay + h;
  // the level is the mean of the last 180 days (centred ~90 days back); trend capped at 180 days ahead
  return m.dom[dayOfMonth(day)]! + m.dow[dayOfWeek(day)]! + m.level + m.slope * (90 + Math.min(h, 180));
}

/** Point forecast of balances (unrounded) for h = 1..horizon after the series' end. */
function pointForecast(s: DailySeries, horizon: number): number[] {
  const m = fitFlows(s.start, s.flows);
  let bal = s.flows.reduce((a, b) => a + b, s.opening);
  const out: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    bal += flowAt(m, h);
    out.push(bal);
  }
  return out;
}

/** Seasonal naive with a one-month season: each future day repeats the flow of the same day of month in the last observed month. */
export function seasonalNaiveForecast(s: DailySeries, horizon: number): number[] {
  const end = s.start + s.flows.length - 1;
  let bal = s.flows.reduce((a, b) => a + b, s.opening);
  const out: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    let k = 1;
    let src = addMonths(end + h, -k);
    while (src > end) src = addMonths(end + h, -++k);
    bal += src >= s.start ? s.flows[src - s.start]! : 0;
    out.push(bal);
  }
  return out;
}

/** Flat baseline: the balance stays where it is. */
export function flatForecast(s: DailySeries, horizon: number): number[] {
  const bal = s.flows.reduce((a, b) => a + b, s.opening);
  return new Array<number>(horizon).fill(bal);
}

/** The model fits at most the last ~3 years before as_of: a long history cannot exceed the CPU budget. */
export const FIT_DAYS = 3 * 365 + 1;

/** The last `days` days of a series, the flows before them folded into the opening balance. */
function lastDays(s: DailySeries, days: number): DailySeries {
  const cut = Math.max(0, s.flows.length - days);
  return { start: s.start + cut, flows: s.flows.slice(cut), opening: s.flows.slice(0, cut).reduce((a, b) => a + b, s.opening) };
}

/** Cuts the last `k` days off a series. */
function head(s: DailySeries, k: number): DailySeries {
  return { start: s.start, flows: s.flows.slice(0, s.flows.length - k), opening: s.opening };
}

/** Actual balances over the last `k` days. */
function tailBalances(s: DailySeries, k: number): number[] {
  let bal = s.flows.slice(0, s.flows.length - k).reduce((a, b) => a + b, s.opening);
  return s.flows.slice(s.flows.length - k).map((f) => (bal += f));
}

/**
 * Rolling origins: the same day of the month as the forecast's, 1 to ORIGIN_MONTHS months back, each refit
 * needing MIN_TRAIN days before it. A salaried account's errors depend on where the origin falls against
 * payday and rent: origins at the same phase of the month measure the errors this forecast will make
 * (origins every 14 days mixed the phases and gave wider intervals at the same coverage).
 */
const ORIGIN_MONTHS = 18;
const MIN_TRAIN = 120;
/** Fewer pooled errors than this at a step: that step is not calibrated (extrapolated from a shorter one). */
const MIN_ERRORS = 24;
const ALPHA = 0.2; // 80 % interval

/** Balance errors (actual − forecast) per horizon step h = 1..maxH (index h − 1), from rolling-origin refits. */
function stepErrors(s: DailySeries, maxH: number): number[][] {
  const errs: number[][] = Array.from({ length: maxH }, () => []);
  const end = s.start + s.flows.length - 1;
  for (let k = 1; k <= ORIGIN_MONTHS; k++) {
    const back = end - addMonths(end, -k);
    if (s.flows.length - back < MIN_TRAIN) break;
    const h = Math.min(maxH, back);
    const pred = pointForecast(head(s, back), h);
    const actual = tailBalances(s, back);
    for (let i = 0; i < h; i++) errs[i]!.push(actual[i]! - pred[i]!);
  }
  return errs;
}

/**
 * Split-conformal bounds per step. How this account's errors grow with the horizon is fitted on its own
 * backtests: the median |error| at each step h against h on a log–log scale gives a spread s(h) = c·h^β
 * (β in [0, 1]: errors of a regular account hardly grow, a random walk's grow with √h, a drifting
 * level's with h). The errors divided by s(h), pooled over every step and origin, give the conformal
 * ⌊(n+1)·α/2⌋-th and ⌈(n+1)(1−α/2)⌉-th smallest, and the bounds at step h are those times s(h).
 * Null when too few errors exist (a short history).
 */
export function conformalBounds(errs: readonly number[][], horizon: number): { lo: number[]; hi: number[] } | null {
  const xs: number[] = [];
  const ys: number[] = [];
  errs.forEach((e, i) => {
    if (e.length < 3) return;
    const m = median(e.map(Math.abs));
    if (m > 0) xs.push(Math.log(i + 1)), ys.push(Math.log(m));
  });
  if (xs.length < 2) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const beta = Math.min(1, Math.max(0, sxx ? sxy / sxx : 0.5));
  const spread = (h: number) => Math.exp(my + beta * (Math.log(h) - mx));
  const pool: number[] = [];
  errs.forEach((e, i) => {
    const sc = spread(i + 1);
    for (const v of e) pool.push(v / sc);
  });
  if (pool.length < MIN_ERRORS) return null;
  const sortedPool = sorted(pool);
  const n = sortedPool.length;
  const qLo = Math.min(0, sortedPool[Math.max(0, Math.floor((n + 1) * (ALPHA / 2)) - 1)]!);
  const qHi = Math.max(0, sortedPool[Math.min(n - 1, Math.ceil((n + 1) * (1 - ALPHA / 2)) - 1)]!);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    lo.push(qLo * spread(h));
    hi.push(qHi * spread(h));
  }
  return { lo, hi };
}

export function forecast(input: ForecastInput): Forecast {
  const horizon = Math.trunc(input.horizon);
  if (!(horizon >= 1 && horizon <= 365)) throw new RangeError("horizon must be 1–365");
  const asOf = toDay(input.as_of);
  const s = lastDays(dailySeries(input.entries, input.opening_balance, asOf), FIT_DAYS);
  const pred = pointForecast(s, horizon);

  const bounds = conformalBounds(stepErrors(s, horizon), horizon);
  // Short history: Gaussian random walk on daily flow deviations.
  const sd = bounds ? 0 : Math.sqrt(mean(s.flows.map((f) => (f - mean(s.flows)) ** 2)));
  const points = pred.map((b, i) => {
    const balance = Math.round(b);
    const lo = bounds ? bounds.lo[i]! : -Z_FALLBACK * sd * Math.sqrt(i + 1);
    const hi = bounds ? bounds.hi[i]! : Z_FALLBACK * sd * Math.sqrt(i + 1);
    return {
      date: fromDay(asOf + i + 1),
      balance,
      lower: Math.min(balance, Math.round(b + lo)),
      upper: Math.max(balance, Math.round(b + hi)),
    };
  });
  return { method: s.flows.length ? METHOD : "flat", as_of: fromDay(asOf), points };
}

/**
 * Holdout backtest on the last `holdout` days before `as_of`: fit on what came before, forecast the
 * balances, compare. MASE = MAE(balance) ÷ scale, with scale = mean |daily balance change| over the
 * fitting window (Hyndman's in-sample one-step naive MAE). The baseline is the monthly seasonal naive.
 */
export function backtest(input: Omit<ForecastInput, "horizon">, holdout = 60): Backtest {
  const s = lastDays(dailySeries(input.entries, input.opening_balance, toDay(input.as_of)), FIT_DAYS);
  if (s.flows.length < holdout + 60) return { mase: null, baseline_mase: null };
  const train = head(s, holdout);
  const scale = mean(train.flows.map(Math.abs));
  if (scale === 0) return { mase: null, baseline_mase: null };
  const actual = tailBalances(s, holdout);
  const mae = (p: number[]) => mean(p.map((v, i) => Math.abs(v - actual[i]!)));
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    mase: r3(mae(pointForecast(train, holdout)) / scale),
    baseline_mase: r3(mae(seasonalNaiveForecast(train, holdout)) / scale),
  };
}

/** Exposed for evaluation: model point forecast from a daily series. */
export const _internal = { pointForecast, head, tailBalances };
