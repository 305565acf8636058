import type { ScaleBracket } from "./params/dated";
import { add, bps, cmp, min, mul, q, sub, toCents, ZERO, type Q } from "./rational";
import type { BracketLine } from "./types";

export interface ScaleResult {
  tax: Q; // exact
  lines: BracketLine[];
  marginalBps: number;
}

/**
 * Applies a progressive scale to `income` with every threshold multiplied by `parts`.
 * That equals `parts × scale(income / parts)` — the French family quotient — without dividing,
 * so the result stays exact. With parts = 1 it is the plain US rate schedule.
 */
export function applyScale(scale: readonly ScaleBracket[], income: Q, parts: Q = q(1)): ScaleResult {
  let tax = ZERO;
  let marginalBps = 0;
  const lines: BracketLine[] = [];
  scale.forEach((bracket, i) => {
    const lo = mul(q(bracket.from), parts);
    if (cmp(income, lo) <= 0) return; // bracket not reached
    const next = scale[i + 1];
    const hi = next ? mul(q(next.from), parts) : undefined;
    const slice = sub(hi ? min(income, hi) : income, lo);
    const sliceTax = mul(slice, bps(bracket.rate_bps));
    tax = add(tax, sliceTax);
    marginalBps = bracket.rate_bps;
    lines.push({
      from: toCents(lo),
      to: hi ? toCents(hi) : null,
      rate: bracket.rate_bps / 10_000,
      taxable: toCents(slice),
      tax: toCents(sliceTax),
    });
  });
  return { tax, lines, marginalBps };
}
