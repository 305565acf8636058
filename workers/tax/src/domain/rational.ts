// Exact non-float arithmetic for money: rationals over BigInt.
// Amounts are cents (minor units); rates are basis points. Nothing here ever touches a float.

export interface Q {
  readonly n: bigint;
  readonly d: bigint; // always > 0, gcd(n, d) = 1
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function q(n: bigint | number, d: bigint | number = 1n): Q {
  let nn = BigInt(n);
  let dd = BigInt(d);
  if (dd === 0n) throw new RangeError("zero denominator");
  if (dd < 0n) [nn, dd] = [-nn, -dd];
  const g = gcd(nn, dd) || 1n;
  return { n: nn / g, d: dd / g };
}

export const ZERO = q(0);
export const add = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Q, b: Q): Q => q(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
export const cmp = (a: Q, b: Q): number => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
export const min = (a: Q, b: Q): Q => (cmp(a, b) <= 0 ? a : b);
export const max = (a: Q, b: Q): Q => (cmp(a, b) >= 0 ? a : b);

/** Basis points as an exact fraction (2000 bps = 1/5). */
export const bps = (b: number): Q => q(b, 10_000);

function floorDiv(a: bigint, b: bigint): bigint {
  const t = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? t - 1n : t;
}

/** Round to the nearest integer, halves going up (0.5 -> 1). */
export function roundHalfUp(x: Q): bigint {
  return floorDiv(2n * x.n + x.d, 2n * x.d);
}

/** Round half-up to an integer number of `unit`s (e.g. unit 100 = whole euros from cents). */
export function roundToUnit(x: Q, unit: number): number {
  return Number(roundHalfUp(q(x.n, x.d * BigInt(unit)))) * unit;
}

export const toCents = (x: Q): number => Number(roundHalfUp(x));
