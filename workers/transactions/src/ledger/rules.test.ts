import { describe, expect, it } from "vitest";
import { ENTRY_TEXT_LIMITS } from "#core/ledger";
import { MAX_BALANCE, available, canApply, canPostHold, fitsBalanceBound, tooLongField } from "./rules";

describe("overdraft limit", () => {
  it("counts pending debits and lets inflows through", () => {
    expect(available({ current: 1000, pending: 300, overdraft_limit: 500 })).toBe(1200);
    expect(available({ current: 1000, pending: 300, overdraft_limit: null })).toBeNull();
    expect(canApply({ current: 1000, pending: 300, overdraft_limit: 500 }, -1200)).toBe(true);
    expect(canApply({ current: 1000, pending: 300, overdraft_limit: 500 }, -1201)).toBe(false);
    expect(canApply({ current: -500, pending: 0, overdraft_limit: 0 }, 10)).toBe(true);
    expect(canApply({ current: 0, pending: 0, overdraft_limit: null }, -1e13)).toBe(true);
  });
});

describe("balance bound ±(2^53 − 1)", () => {
  it("is the largest exact integer", () => {
    expect(MAX_BALANCE).toBe(2 ** 53 - 1);
  });

  it("lets an outflow reach the floor exactly, not one unit past, even without a limit", () => {
    expect(fitsBalanceBound({ current: -(MAX_BALANCE - 5000), pending: 0 }, -5000)).toBe(true);
    expect(fitsBalanceBound({ current: -(MAX_BALANCE - 5000), pending: 0 }, -5001)).toBe(false);
  });

  it("counts every pending hold against an outflow, so each hold stays postable", () => {
    const l = { current: -(MAX_BALANCE - 5000), pending: 3000 };
    expect(fitsBalanceBound(l, -2000)).toBe(true);
    expect(fitsBalanceBound(l, -2001)).toBe(false);
    // Already past the floor with its holds (reserved before the check existed): nothing more goes out.
    expect(fitsBalanceBound({ current: -(MAX_BALANCE - 5000), pending: 10000 }, -1)).toBe(false);
  });

  it("bounds inflows by the ceiling, ignoring pending debits", () => {
    expect(fitsBalanceBound({ current: MAX_BALANCE - 5000, pending: 1e13 }, 5000)).toBe(true);
    expect(fitsBalanceBound({ current: MAX_BALANCE - 5000, pending: 1e13 }, 5001)).toBe(false);
    expect(fitsBalanceBound({ current: MAX_BALANCE, pending: 0 }, 0)).toBe(true);
  });

  it("is exact one unit either side of each bound", () => {
    expect(fitsBalanceBound({ current: -MAX_BALANCE, pending: 1 }, -1)).toBe(false);
    expect(fitsBalanceBound({ current: MAX_BALANCE, pending: 0 }, 1)).toBe(false);
    expect(fitsBalanceBound({ current: -MAX_BALANCE + 2, pending: 1 }, -1)).toBe(true);
  });

  it("posts a hold when its own result stays within the floor, whatever other holds exist", () => {
    expect(canPostHold(-(MAX_BALANCE - 5000), 5000)).toBe(true);
    expect(canPostHold(-(MAX_BALANCE - 5000), 5001)).toBe(false);
    expect(canPostHold(0, 1e13)).toBe(true);
  });

  it("keeps current − pending ≥ −MAX: any sequence of accepted reservations can all be posted", () => {
    let current = -(MAX_BALANCE - 10_000);
    const holds: number[] = [];
    for (const amount of [3000, 4000, 2500, 3001, 500, 1]) {
      const pending = holds.reduce((a, b) => a + b, 0);
      if (fitsBalanceBound({ current, pending }, -amount)) holds.push(amount);
    }
    expect(holds).toEqual([3000, 4000, 2500, 500]);
    for (const h of holds) {
      expect(canPostHold(current, h)).toBe(true);
      current -= h;
    }
    expect(current).toBe(-MAX_BALANCE);
  });
});

describe("text bounds", () => {
  it("names the first field over its limit; at the limit, null or absent is fine", () => {
    expect(tooLongField({ description: "d".repeat(ENTRY_TEXT_LIMITS.description), counterparty: null, notes: undefined })).toBeUndefined();
    expect(tooLongField({ description: "d".repeat(501) })).toBe("description");
    expect(tooLongField({ counterparty: "c".repeat(201) })).toBe("counterparty");
    expect(tooLongField({ notes: "n".repeat(2001) })).toBe("notes");
    expect(tooLongField({ external_id: "e".repeat(256) })).toBe("external_id");
    expect(tooLongField({ external_id: "e".repeat(255), category: "k".repeat(65) })).toBe("category");
    expect(tooLongField({})).toBeUndefined();
  });
});
