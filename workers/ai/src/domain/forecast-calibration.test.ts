// The 80 % interval is calibrated per horizon step on the account's own backtests: on many seeded
// salaried accounts (ai/synthetic/salaried.ts, not the training generator) it covers about 80 % of the
// actual balances at every horizon, not 100 %.
import { describe, expect, it } from "vitest";
import { generateSalaried } from "../../../../ai/synthetic/salaried";
import { fromDay, toDay } from "./dates";
import { _internal, conformalBounds, dailySeries, forecast } from "./forecast";

const END = "2026-11-30";
const H = 60;

function coverageByStep(accounts: number, oneOffBase?: number) {
  const bands = [
    [1, 15],
    [16, 30],
    [31, 60],
  ] as const;
  const hits = bands.map(() => [0, 0]);
  let covered = 0;
  let n = 0;
  for (let i = 0; i < accounts; i++) {
    const a = generateSalaried({ seed: 9300 + i, end: END, oneOffBase });
    for (const back of [H, H + 40, H + 80]) {
      const asOf = toDay(END) - back;
      const actual = _internal.tailBalances(dailySeries(a.transactions, a.opening_balance, asOf + H), H);
      const f = forecast({ entries: a.transactions, opening_balance: a.opening_balance, as_of: fromDay(asOf), horizon: H });
      f.points.forEach((p, k) => {
        const inside = actual[k]! >= p.lower && actual[k]! <= p.upper;
        const b = bands.findIndex(([lo, hi]) => k + 1 >= lo && k + 1 <= hi);
        hits[b]![0]! += +inside;
        hits[b]![1]!++;
        covered += +inside;
        n++;
      });
    }
  }
  return { overall: covered / n, bands: hits.map(([c, t]) => c! / t!) };
}

describe("forecast interval calibration", () => {
  it("covers about 80 % (73–87 %) of actual balances over 60 days, and 68–92 % at every horizon band", () => {
    const { overall, bands } = coverageByStep(30);
    expect(overall).toBeGreaterThanOrEqual(0.73);
    expect(overall).toBeLessThanOrEqual(0.87);
    for (const b of bands) {
      expect(b).toBeGreaterThanOrEqual(0.68);
      expect(b).toBeLessThanOrEqual(0.92);
    }
  });

  it("stays calibrated when the history holds one-offs of a few thousand euros", () => {
    const { overall } = coverageByStep(16, 10_000);
    expect(overall).toBeGreaterThanOrEqual(0.72);
    expect(overall).toBeLessThanOrEqual(0.88);
  });

  it("takes conformal quantiles of the errors per step and grows past the last calibrated step", () => {
    // errors at step h uniformly spread over ±h·100: the bounds follow h, not sqrt(h)
    const errs = Array.from({ length: 20 }, (_, i) => Array.from({ length: 30 }, (_, k) => ((k - 14.5) / 14.5) * (i + 1) * 100));
    const b = conformalBounds(errs, 40)!;
    expect(b.lo).toHaveLength(40);
    expect(b.hi[0]! / b.hi[9]!).toBeCloseTo(1 / 10, 0);
    expect(b.hi[19]!).toBeLessThan(b.hi[39]!);
    expect(b.lo.every((x, i) => x <= 0 && b.hi[i]! >= 0)).toBe(true);
    expect(conformalBounds([[1, 2]], 5)).toBeNull();
  });
});
