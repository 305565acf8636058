import { describe, expect, it } from "vitest";
import { auditLedger, type AccountSnapshot } from "./audit";

const MAX = Number.MAX_SAFE_INTEGER;
const account = (id: string, entries: [amount: number, payment_id: string | null][]): AccountSnapshot => ({
  meta: { account_id: id, currency: "EUR", overdraft_limit: null },
  entries: entries.map(([amount, payment_id], i) => ({ id: `${id}-${i}`, version: i + 1, amount, payment_id })),
  holds: [],
  payments: [],
});

describe("auditLedger per-currency sums", () => {
  it("adds exactly past 2^53, whatever the order of accounts", () => {
    // As numbers, MAX + 2 + 1 + 1 − 2 rounds differently from MAX + 1 + 1 (+ 2 in a payment's legs).
    const accounts = [
      account("a", [
        [MAX, null],
        [2, "pay_1"],
      ]),
      account("b", [
        [1, null],
        [1, null],
      ]),
      account("d", [[-2, "pay_1"]]),
    ];
    for (const order of [accounts, [...accounts].reverse()]) expect(auditLedger(order, []).filter((p) => p.startsWith("EUR:"))).toEqual([]);
    expect(
      auditLedger(
        [
          account("a", [
            [MAX, null],
            [2, "pay_1"],
          ]),
        ],
        [],
      ).filter((p) => p.startsWith("EUR:")),
    ).toEqual([`EUR: entries sum to ${BigInt(MAX) + 2n}, external flows to ${MAX}`]);
  });
});
