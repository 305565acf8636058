import { describe, expect, it } from "vitest";
import { CallerCache, changesStateOf, ttlFrom } from "./caller-cache";

describe("the gateway's per-isolate caller cache", () => {
  it("reuses an entry for less than the bound, then asks again", () => {
    const cache = new CallerCache<string>();
    cache.put("u", "active", 1_000, 1_000);
    expect(cache.get("u", 1_999, 1_000)).toEqual({ value: "active" });
    expect(cache.get("u", 2_000, 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps nothing with a bound of 0, and treats a clock gone backwards as stale", () => {
    const cache = new CallerCache<string>();
    cache.put("u", "active", 1_000, 0);
    expect(cache.get("u", 1_000, 0)).toBeUndefined();
    cache.put("u", "active", 1_000, 1_000);
    expect(cache.get("u", 999, 1_000)).toBeUndefined();
  });

  it("forgets an entry at once, and drops the oldest beyond its size", () => {
    const cache = new CallerCache<string>(2);
    cache.put("a", "1", 0, 1_000);
    cache.put("b", "2", 0, 1_000);
    cache.put("c", "3", 0, 1_000);
    expect(cache.get("a", 1, 1_000)).toBeUndefined();
    expect(cache.get("c", 1, 1_000)).toEqual({ value: "3" });
    cache.forget("c");
    expect(cache.get("c", 1, 1_000)).toBeUndefined();
  });

  it("reads the bound from the var: default 1 s, never above 5 s, 0 or garbage disables", () => {
    expect(ttlFrom(undefined)).toBe(1000);
    expect(ttlFrom("250")).toBe(250);
    expect(ttlFrom("60000")).toBe(5000);
    expect(ttlFrom("0")).toBe(0);
    expect(ttlFrom("soon")).toBe(0);
  });

  it("names the user a request changes: the caller's own deletion, an admin PATCH of a user", () => {
    expect(changesStateOf("DELETE", "/v1/users/me", "usr_me")).toBe("usr_me");
    expect(changesStateOf("PATCH", "/v1/admin/users/usr_x", "usr_admin")).toBe("usr_x");
    expect(changesStateOf("GET", "/v1/admin/users/usr_x", "usr_admin")).toBeUndefined();
    expect(changesStateOf("PATCH", "/v1/users/me", "usr_me")).toBeUndefined();
    expect(changesStateOf("PATCH", "/v1/admin/users/%E0%A4%A", "usr_admin")).toBeUndefined();
  });
});
