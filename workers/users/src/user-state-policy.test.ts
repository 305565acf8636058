import { describe, expect, it } from "vitest";
import { KEY_RETENTION_MS, callerFromRow, claimVerdict, expiredBefore, nextPruneAt, readStillCurrent } from "./user-state-policy";

describe("UserState rules", () => {
  it("claims a new key, replays the same fingerprint and refuses another", () => {
    expect(claimVerdict(undefined, "f1")).toBe("claim");
    expect(claimVerdict("f1", "f1")).toBe("same");
    expect(claimVerdict("f1", "f2")).toBe("reused");
  });

  it("keeps claims at least 24 h (a week) and prunes at the oldest claim's expiry", () => {
    expect(KEY_RETENTION_MS).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    const now = 1_000_000_000_000;
    expect(expiredBefore(now)).toBe(now - KEY_RETENTION_MS);
    expect(nextPruneAt(undefined)).toBeNull();
    expect(nextPruneAt(now)).toBe(now + KEY_RETENTION_MS);
  });

  it("reads a users row, failing closed on anything unexpected", () => {
    expect(callerFromRow({ status: "active", role: "admin" })).toEqual({ status: "active", role: "admin" });
    expect(callerFromRow({ status: "deleted", role: "user" })).toEqual({ status: "deleted", role: "user" });
    expect(callerFromRow({ status: "banned", role: "root" })).toEqual({ status: "suspended", role: "user" });
    expect(callerFromRow({ status: null, role: undefined })).toEqual({ status: "suspended", role: "user" });
  });

  it("drops a D1 read that overlapped a write", () => {
    expect(readStillCurrent(3, 3)).toBe(true);
    expect(readStillCurrent(3, 4)).toBe(false);
  });
});
