import { describe, expect, it } from "vitest";
import { rateLimitHeaders, refusal } from "#core/throttle";
import { addressKey, lockId, loginRules, recent, registerRule, retryAfterSeconds, throttleKeys } from "./throttle-policy";

const rule = { limit: 3, windowMs: 60_000 };

describe("throttle policy (sliding window)", () => {
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

describe("lock identity (first refusal of a lock)", () => {
  it("is undefined below the limit and the attempt whose leaving frees the key while locked", () => {
    expect(lockId([90_000, 95_000], 100_000, rule)).toBeUndefined();
    expect(lockId([90_000, 95_000, 99_000], 100_000, rule)).toBe(90_000);
    expect(lockId([40_001, 60_000, 70_000, 80_000, 99_999], 100_000, rule)).toBe(70_000);
    // Once the lock has passed and new attempts lock it again, the lock has another identity.
    expect(lockId([90_000, 95_000, 99_000, 151_000], 152_000, rule)).toBe(95_000);
  });
});

describe("addressKey", () => {
  it("keeps IPv4 addresses and maps IPv4-mapped IPv6 to them", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts IPv6 by its /64, whatever the spelling", () => {
    const key = "2001:db8:77:1::/64";
    for (const ip of ["2001:db8:77:1::1", "2001:0DB8:0077:0001:ffff::9", "2001:db8:77:1:1:2:3:4", " 2001:db8:77:1::ab "])
      expect(addressKey(ip), ip).toBe(key);
    expect(addressKey("2001:db8:77:2::1")).not.toBe(key);
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("2001:db8::")).toBe("2001:db8:0:0::/64");
  });

  it("keeps anything else whole (bounded)", () => {
    expect(addressKey("unknown")).toBe("unknown");
    expect(addressKey("1::2::3")).toBe("1::2::3");
    expect(addressKey("x".repeat(100))).toHaveLength(64);
  });
});

describe("rules from env", () => {
  it("defaults: 5 per (email, address) and 30 per address in 15 minutes; 10 sign-ups per address per hour", () => {
    expect(loginRules({})).toEqual({ emailAtAddress: { limit: 5, windowMs: 900_000 }, address: { limit: 30, windowMs: 900_000 } });
    expect(registerRule({})).toEqual({ limit: 10, windowMs: 3_600_000 });
  });

  it("reads the vars and ignores values that are not positive integers", () => {
    expect(loginRules({ LOGIN_MAX_FAILURES_PER_EMAIL_IP: "3", LOGIN_MAX_FAILURES_PER_IP: "9", LOGIN_WINDOW_SECONDS: "60" })).toEqual({
      emailAtAddress: { limit: 3, windowMs: 60_000 },
      address: { limit: 9, windowMs: 60_000 },
    });
    expect(registerRule({ REGISTER_MAX_PER_IP: "100", REGISTER_WINDOW_SECONDS: "0" })).toEqual({ limit: 100, windowMs: 3_600_000 });
    expect(registerRule({ REGISTER_MAX_PER_IP: "abc" }).limit).toBe(10);
    expect(registerRule({ REGISTER_MAX_PER_IP: "2.5" }).limit).toBe(10);
  });

  it("keys never collide across purposes, and one email's key depends on the address", () => {
    const keys = [
      throttleKeys.loginEmailAtAddress("a@b.c", "1.2.3.4"),
      throttleKeys.loginAddress("1.2.3.4"),
      throttleKeys.register("1.2.3.4"),
    ];
    expect(new Set(keys).size).toBe(3);
    expect(throttleKeys.loginEmailAtAddress("a@b.c", "1.2.3.4")).not.toBe(throttleKeys.loginEmailAtAddress("a@b.c", "1.2.3.5"));
    expect(throttleKeys.loginEmailAtAddress("a@b.c", "2001:db8::1")).toBe(throttleKeys.loginEmailAtAddress("a@b.c", "2001:db8::2"));
  });
});

describe("refusal (the 429 of several keys)", () => {
  const checks = [
    { key: "a", rule: { limit: 5, windowMs: 1 } },
    { key: "b", rule: { limit: 30, windowMs: 1 } },
  ];
  it("is undefined when every key allows the attempt", () => {
    expect(
      refusal(checks, [
        { allowed: true, ticket: 1, remaining: 2 },
        { allowed: true, ticket: 1, remaining: 9 },
      ]),
    ).toBeUndefined();
  });
  it("takes the longest wait and its rule's limit; first if any refusal is the first of its lock", () => {
    expect(
      refusal(checks, [
        { allowed: false, retryAfter: 10, first: false },
        { allowed: false, retryAfter: 60, first: false },
      ]),
    ).toEqual({ retryAfter: 60, limit: 30, first: false });
    expect(
      refusal(checks, [
        { allowed: false, retryAfter: 90, first: false },
        { allowed: false, retryAfter: 60, first: true },
      ]),
    ).toEqual({ retryAfter: 90, limit: 5, first: true });
    expect(
      refusal(checks, [
        { allowed: true, ticket: 3, remaining: 0 },
        { allowed: false, retryAfter: 5, first: true },
      ]),
    ).toEqual({ retryAfter: 5, limit: 30, first: true });
  });
  it("headers: Retry-After and RateLimit-* agree", () => {
    expect(rateLimitHeaders(10, 840)).toEqual({
      "Retry-After": "840",
      "RateLimit-Limit": "10",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "840",
    });
  });
});
