import { describe, expect, it } from "vitest";
import { recent, retryAfterSeconds } from "./throttle-policy";

const rule = { limit: 3, windowMs: 60_000 };

describe("login throttle policy (sliding window)", () => {
  it("allows attempts until the limit is reached within the window", () => {
    expect(retryAfterSeconds([], 100_000, rule)).toBe(0);
    expect(retryAfterSeconds([90_000, 95_000], 100_000, rule)).toBe(0);
    expect(retryAfterSeconds([90_000, 95_000, 99_000], 100_000, rule)).toBe(50); // the oldest leaves at 150 000
  });

  it("forgets failures older than the window", () => {
    expect(recent([10_000, 50_000, 99_000], 100_000, rule)).toEqual([50_000, 99_000]);
    expect(retryAfterSeconds([10_000, 20_000, 30_000], 100_000, rule)).toBe(0);
  });

  it("waits for enough failures to leave when far over the limit, and never answers 0 while locked", () => {
    const failures = [40_001, 60_000, 70_000, 80_000, 99_999];
    // 5 live failures, limit 3: the third newest (70 000) must leave → at 130 000.
    expect(retryAfterSeconds(failures, 100_000, rule)).toBe(30);
    expect(retryAfterSeconds([40_001, 40_002, 40_003], 100_000, rule)).toBe(1);
  });
});
