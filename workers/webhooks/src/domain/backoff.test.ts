import { describe, expect, it } from "vitest";
import { RETRY_WINDOW_MS, isSuccess, nextAttemptAt, retryDelaySeconds, shouldDisable } from "./backoff";

describe("retry schedule", () => {
  it("waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then a day", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelaySeconds)).toEqual([5, 300, 1800, 7200, 18000, 36000, 86400, 86400, 86400]);
  });

  it("gives up once the next attempt would fall past 3 days after the event", () => {
    const created = new Date("2026-01-01T00:00:00Z");
    let now = created;
    const at: number[] = [];
    for (let attempts = 1; ; attempts++) {
      const next = nextAttemptAt(created, attempts, now);
      if (!next) break;
      at.push((next.getTime() - created.getTime()) / 1000);
      now = next;
    }
    // 8 retries after the first attempt: the last 65.6 h after the event.
    expect(at).toEqual([5, 305, 2105, 9305, 27305, 63305, 149705, 236105]);
    expect(at.every((s) => s * 1000 <= RETRY_WINDOW_MS)).toBe(true);
  });

  it("a manual retry after the window fails for good", () => {
    const created = new Date("2026-01-01T00:00:00Z");
    expect(nextAttemptAt(created, 1, new Date("2026-01-05T00:00:00Z"))).toBeNull();
  });
});

describe("endpoint disabling and success", () => {
  it("disables after 5 days of failing, not before", () => {
    const since = new Date("2026-01-01T00:00:00Z");
    expect(shouldDisable(null, new Date("2026-02-01T00:00:00Z"))).toBe(false);
    expect(shouldDisable(since, new Date("2026-01-05T23:59:59Z"))).toBe(false);
    expect(shouldDisable(since, new Date("2026-01-06T00:00:00Z"))).toBe(true);
  });

  it("only a 2xx is a success: redirects are failures", () => {
    expect([200, 201, 204, 299].every(isSuccess)).toBe(true);
    expect([100, 199, 301, 302, 307, 308, 400, 410, 500, 503].some(isSuccess)).toBe(false);
  });
});
