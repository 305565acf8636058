import { describe, expect, it } from "vitest";
import { addMonths, bucketStart, bucketStarts, isIsoDate, monthBounds, monthEnd, resolveRange } from "./periods";

describe("isIsoDate", () => {
  it("accepts real calendar dates only", () => {
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("9999-12-31")).toBe(true);
    for (const bad of [
      "2025-02-29",
      "2025-13-01",
      "2025-00-10",
      "2025-1-01",
      "20250101",
      "2025-01-01T00:00:00Z",
      "",
      "0000-01-01",
      "abcd-ef-gh",
    ])
      expect(isIsoDate(bad), bad).toBe(false);
  });
});

describe("month arithmetic", () => {
  it("gives the calendar month (UTC) of a budget", () => {
    expect(monthBounds(new Date("2025-02-14T23:59:59Z"))).toEqual({ period_start: "2025-02-01", period_end: "2025-02-28" });
    expect(monthBounds(new Date("2024-02-01T00:00:00Z"))).toEqual({ period_start: "2024-02-01", period_end: "2024-02-29" });
    expect(monthBounds(new Date("2025-12-31T23:59:59.999Z"))).toEqual({ period_start: "2025-12-01", period_end: "2025-12-31" });
  });
  it("steps months across years and at the end of the calendar", () => {
    expect(addMonths("2025-01-31", 1)).toBe("2025-02-01");
    expect(addMonths("2025-03-15", -11)).toBe("2024-04-01");
    expect(monthEnd("9999-12-15")).toBe("9999-12-31");
  });
});

describe("buckets", () => {
  it("maps a date to its day, ISO week (Monday) and month", () => {
    expect(bucketStart("2025-06-18", "day")).toBe("2025-06-18");
    expect(bucketStart("2025-06-18", "week")).toBe("2025-06-16"); // Wednesday → Monday
    expect(bucketStart("2025-06-16", "week")).toBe("2025-06-16"); // Monday stays
    expect(bucketStart("2025-06-22", "week")).toBe("2025-06-16"); // Sunday → previous Monday
    expect(bucketStart("2025-06-18", "month")).toBe("2025-06-01");
  });
  it("lists every bucket in the range, including empty ones", () => {
    expect(bucketStarts("2024-11-15", "2025-02-01", "month")).toEqual(["2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01"]);
    expect(bucketStarts("2025-06-18", "2025-06-30", "week")).toEqual(["2025-06-16", "2025-06-23", "2025-06-30"]);
    expect(bucketStarts("2025-06-18", "2025-06-18", "day")).toEqual(["2025-06-18"]);
  });
  it("refuses ranges with too many buckets instead of looping", () => {
    expect(bucketStarts("0001-01-01", "9999-12-31", "day")).toBeNull();
    expect(bucketStarts("0001-01-01", "0100-12-31", "month", 2_000)).toHaveLength(100 * 12);
    expect(bucketStarts("0001-01-01", "0100-12-31", "month")).toBeNull();
  });
});

describe("resolveRange", () => {
  const now = new Date("2025-06-18T10:00:00Z");
  it("defaults `to` to today and `from` from `to`", () => {
    expect(resolveRange(undefined, undefined, (to) => `${to.slice(0, 7)}-01`, now)).toEqual({
      ok: true,
      range: { from: "2025-06-01", to: "2025-06-18" },
    });
    expect(resolveRange("2025-01-01", "2025-01-01", () => "x", now)).toEqual({ ok: true, range: { from: "2025-01-01", to: "2025-01-01" } });
  });
  it("names the bad parameter", () => {
    expect(resolveRange("2025-02-30", undefined, () => "x", now)).toMatchObject({ ok: false, path: "from" });
    expect(resolveRange(undefined, "tomorrow", () => "x", now)).toMatchObject({ ok: false, path: "to" });
    expect(resolveRange("2025-06-02", "2025-06-01", () => "x", now)).toMatchObject({
      ok: false,
      path: "from",
      message: "must not be after `to`",
    });
  });
});
