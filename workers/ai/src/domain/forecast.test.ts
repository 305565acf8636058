import { describe, expect, it } from "vitest";
import { generateHistory } from "../../../../ai/training/history";
import { fromDay, toDay } from "./dates";
import { FIT_DAYS, backtest, dailySeries, forecast } from "./forecast";

const h = generateHistory(42);
const input = { entries: h.transactions, opening_balance: h.opening_balance, as_of: "2024-06-30" };

describe("forecast", () => {
  it("returns one integer point per day with lower ≤ balance ≤ upper", () => {
    const f = forecast({ ...input, horizon: 30 });
    expect(f.points).toHaveLength(30);
    expect(f.points[0]!.date).toBe("2024-07-01");
    expect(f.points[29]!.date).toBe("2024-07-30");
    for (const p of f.points) {
      expect(Number.isInteger(p.balance) && Number.isInteger(p.lower) && Number.isInteger(p.upper)).toBe(true);
      expect(p.lower).toBeLessThanOrEqual(p.balance);
      expect(p.balance).toBeLessThanOrEqual(p.upper);
    }
    const width = (i: number) => f.points[i]!.upper - f.points[i]!.lower;
    expect(width(29)).toBeGreaterThan(width(0));
  });

  it("uses only entries on or before as_of", () => {
    const a = forecast({ ...input, horizon: 10 });
    const b = forecast({ ...input, entries: h.transactions.filter((t) => t.date <= "2024-06-30"), horizon: 10 });
    expect(a).toEqual(b);
  });

  it("captures the monthly salary", () => {
    const f = forecast({ ...input, horizon: 60 });
    const jumps = f.points.slice(1).map((p, i) => p.balance - f.points[i]!.balance);
    expect(Math.max(...jumps)).toBeGreaterThan(150_000); // salary ≥ 2 200.00
  });

  it("beats the seasonal naive baseline in backtest", () => {
    const b = backtest(input);
    expect(b.mase).not.toBeNull();
    expect(b.mase!).toBeLessThan(b.baseline_mase!);
  });

  it("rejects horizons out of range and handles an empty history", () => {
    expect(() => forecast({ ...input, horizon: 0 })).toThrow(RangeError);
    expect(() => forecast({ ...input, horizon: 366 })).toThrow(RangeError);
    const f = forecast({ entries: [], opening_balance: 1234, as_of: "2025-01-01", horizon: 3 });
    expect(f.points.map((p) => p.balance)).toEqual([1234, 1234, 1234]);
    expect(backtest({ entries: [], opening_balance: 0, as_of: "2025-01-01" })).toEqual({ mase: null, baseline_mase: null });
  });

  it("handles 200 000 entries and fits only the last ~3 years before as_of", () => {
    // 16 entries a day from 1995 to 2029: a spread of every day into Math.min threw RangeError
    const entries = Array.from({ length: 200_000 }, (_, i) => ({
      date: fromDay(toDay("1995-01-01") + Math.floor(i / 16)),
      amount: i % 16 ? -500 : 8_000,
    }));
    expect(dailySeries(entries, 0, toDay("2030-01-01")).start).toBe(toDay("1995-01-01"));
    const as_of = "2025-06-30";
    const cutoff = fromDay(toDay(as_of) - FIT_DAYS + 1);
    const older = entries.filter((e) => e.date < cutoff).reduce((a, e) => a + e.amount, 0);
    const recent = { entries: entries.filter((e) => e.date >= cutoff), opening_balance: older, as_of };
    // the years before the window only set the opening balance
    expect(forecast({ entries, opening_balance: 0, as_of, horizon: 30 })).toEqual(forecast({ ...recent, horizon: 30 }));
    expect(backtest({ entries, opening_balance: 0, as_of })).toEqual(backtest(recent));
  });
});
