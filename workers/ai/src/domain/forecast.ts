/**
 * Cash-flow forecast: predicted end-of-day balance for 1–365 days after `as_of`.
 *
 * Daily net flows are decomposed into
 *   day-of-month profile  median flow per calendar day over the last 12 months (salary, rent,
 *                         subscriptions; a median ignores one-off outliers and missed months)
 *   day-of-week profile   winsorised mean of what is left, per weekday, over the last 26 weeks
 *   level + trend         winsorised mean of the rest over 180 days, plus a Theil–Sen slope of
 *                         30-day block means (capped so it cannot run away over a year)
 * and the balance is the cumulative sum. The 80 % interval comes from rolling-origin backtests on
 * the account's own history: quantiles q10/q90 of balance errors scaled by sqrt(horizon).
 * Only the last FIT_DAYS (~3 years) before `as_of` are fitted; earlier flows only set the opening balance.
 * Plain TS arithmetic; amounts are estimates until rounded to integer minor units at the end.
 * Actual balances are accumulated from the opening balance, never as opening + (sum of flows): each
 * partial sum is then a balance of the account, not a difference of two, so for entries dated in the
 * order they were recorded it stays within the ledger's ±(2^53 − 1) bound and exact.
 */
import { addMonths, dayOfMonth, dayOfWeek, fromDay, toDay } from "./dates";
import { mean, median, quantile, theilSen, winsorizedMean } from "./stats";

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

/** Normalised errors (actual − forecast)/sqrt(h) from rolling origins 30, 60, … days back. */
function backtestErrors(s: DailySeries): number[] {
  const z: number[] = [];
  for (let back = 30; back <= 360; back += 30) {
    if (s.flows.length - back < 120) break;
    const h = Math.min(90, back);
    const train = head(s, back);
    const pred = pointForecast(train, h);
    const actual = tailBalances(s, back).slice(0, h);
    for (let i = 0; i < h; i++) z.push((actual[i]! - pred[i]!) / Math.sqrt(i + 1));
  }
  return z;
}

export function forecast(input: ForecastInput): Forecast {
  const horizon = Math.trunc(input.horizon);
  if (!(horizon >= 1 && horizon <= 365)) throw new RangeError("horizon must be 1–365");
  const asOf = toDay(input.as_of);
  const s = lastDays(dailySeries(input.entries, input.opening_balance, asOf), FIT_DAYS);
  const pred = pointForecast(s, horizon);

  const z = backtestErrors(s);
  let q10: number;
  let q90: number;
  if (z.length >= 60) {
    q10 = quantile(z, 0.1);
    q90 = quantile(z, 0.9);
  } else {
    // Short history: Gaussian random walk on daily flow deviations.
    const sd = Math.sqrt(mean(s.flows.map((f) => (f - mean(s.flows)) ** 2)));
    q10 = -Z_FALLBACK * sd;
    q90 = Z_FALLBACK * sd;
  }
  const points = pred.map((b, i) => {
    const w = Math.sqrt(i + 1);
    const balance = Math.round(b);
    return {
      date: fromDay(asOf + i + 1),
      balance,
      lower: Math.min(balance, Math.round(b + q10 * w)),
      upper: Math.max(balance, Math.round(b + q90 * w)),
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
