/** Small robust-statistics helpers (pure, allocation-light). */

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** Median absolute deviation (unscaled). */
export function mad(xs: readonly number[], med = median(xs)): number {
  return median(xs.map((x) => Math.abs(x - med)));
}

export const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Mean after clipping to the [p, 1-p] quantiles: one-off outliers cannot drag it. */
export function winsorizedMean(xs: readonly number[], p = 0.05): number {
  if (xs.length === 0) return 0;
  const lo = quantile(xs, p);
  const hi = quantile(xs, 1 - p);
  return mean(xs.map((x) => Math.min(hi, Math.max(lo, x))));
}

/** Theil–Sen slope of ys against 0..n-1: median of pairwise slopes. */
export function theilSen(ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < ys.length; i++) for (let j = i + 1; j < ys.length; j++) slopes.push((ys[j]! - ys[i]!) / (j - i));
  return slopes.length ? median(slopes) : 0;
}
