import { sql, type SQL } from "drizzle-orm";

/**
 * Exact sums of money in D1. Every query that adds amounts up goes through `exactSum` and
 * `readExactSum`, because a plain `sum(amount)` fails twice over a user's unbounded number of rows:
 * past 2^53 D1 hands JavaScript a rounded double, and past 2^63 SQLite raises "integer overflow".
 *
 * The rule: each amount x is split as x = hi·2^24 + lo with hi = x / 2^24 and lo = x % 2^24 (SQLite
 * integer division truncates toward zero and `%` takes the sign of x, so the identity is exact for every
 * integer, negative ones included). SQLite sums the two parts separately and writes both sums as
 * decimal text ("hi lo"), so no part ever passes through a double; JavaScript combines them with BigInt.
 *
 * Bound: |x| ≤ MAX_AMOUNT = 10^13 < 2^44, so |hi| ≤ 596 046 < 2^20 and |lo| ≤ 2^24 − 1. Over n rows
 * |Σhi| < n·2^20 and |Σlo| < n·2^24, both inside SQLite's int64 (2^63) for any n < 2^39 ≈ 5.5·10^11 rows
 * — while a 10 GB D1 database holds fewer than 10^8 entries. Even amounts up to 2^53 would stay exact
 * for n < 2^34 rows.
 */
const SPLIT = 16_777_216; // 2^24
const SPLIT_N = BigInt(SPLIT);

/**
 * SQL aggregate for the exact sum of `expr` (integer minor units; NULLs are skipped, as sum() skips
 * them; no row at all sums to 0). Its value is text: read it with `readExactSum`.
 */
export function exactSum(expr: SQL): SQL<string> {
  // The constant is inlined (not bound) so SQLite sees an integer divisor and divides as integers.
  const d = sql.raw(String(SPLIT));
  return sql<string>`(coalesce(sum((${expr}) / ${d}), 0) || ' ' || coalesce(sum((${expr}) % ${d}), 0))`;
}

/** The bigint an `exactSum` column holds. A column from no row at all (a LEFT JOIN miss) is 0. */
export function readExactSum(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  const m = typeof value === "string" ? /^(-?\d+) (-?\d+)$/.exec(value) : null;
  if (!m) throw new TypeError(`not an exact sum: ${String(value)}`);
  return BigInt(m[1]!) * SPLIT_N + BigInt(m[2]!);
}
