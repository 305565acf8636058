import { describe, expect, it } from "vitest";
import { crossesBudget, monthOf } from "./budget";

describe("budget crossing", () => {
  it("fires for the outflow that takes spending over, and only for it", () => {
    expect(crossesBudget(10_000, 10_500, 1_000)).toBe(true); // 9 500 → 10 500
    expect(crossesBudget(10_000, 10_000, 1_000)).toBe(false); // exactly at the budget is not over
    expect(crossesBudget(10_000, 11_500, 1_000)).toBe(false); // already over before it
    expect(crossesBudget(10_000, 10_001, 10_001)).toBe(true); // from nothing
  });

  it("months are calendar months in UTC, leap years included", () => {
    expect(monthOf("2028-02-10")).toEqual({ period_start: "2028-02-01", period_end: "2028-02-29" });
    expect(monthOf("2026-12-31T23:00:00Z")).toEqual({ period_start: "2026-12-01", period_end: "2026-12-31" });
  });
});
