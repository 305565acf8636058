// Large one-off purchases at merchants seen nowhere else, on seeded salaried accounts from a generator
// that is not the training one (ai/synthetic/salaried.ts: other merchants, amounts and days).
import { describe, expect, it } from "vitest";
import { generateSalaried } from "../../../../ai/synthetic/salaried";
import { ANOMALY_THRESHOLD, detectAnomalies } from "./anomalies";
import type { HistoryTxn } from "./history";

const accounts = Array.from({ length: 12 }, (_, i) =>
  generateSalaried({ seed: 7100 + i, end: "2026-11-30", oneOffBase: i % 2 ? 10_000 : 2_000 }),
);

describe("anomalies: first purchases at new merchants", () => {
  it("puts every one-off at a new merchant in the top 10 of its account", () => {
    for (const a of accounts) {
      const top = detectAnomalies(a.transactions, { currency: "EUR" })
        .slice(0, 10)
        .map((x) => x.transaction_id);
      expect(a.oneOffIds.filter((id) => !top.includes(id))).toEqual([]);
    }
  });

  it("says why in words: the amount, a merchant never used, the multiple of the usual payment", () => {
    const a = accounts[0]!;
    const found = detectAnomalies(a.transactions, { currency: "EUR" }).filter((x) => a.oneOffIds.includes(x.transaction_id));
    expect(found).toHaveLength(3);
    for (const f of found)
      expect(f.reason).toMatch(/^\d+\.\d\d EUR at [A-Z ]+, a merchant you never used before: \d+× your usual payment \(\d+\.\d\d EUR\)/);
    // a one-off worth a large share of a month's salary says so
    const big = detectAnomalies(accounts[1]!.transactions).filter((x) => accounts[1]!.oneOffIds.includes(x.transaction_id));
    expect(big.some((f) => / % of a month's income$/.test(f.reason))).toBe(true);
  });

  it("does not flag a yearly charge at its usual price, nor rent", () => {
    for (const a of accounts) {
      const flagged = new Set(detectAnomalies(a.transactions).map((x) => x.transaction_id));
      for (const g of a.regular) expect(g.ids.filter((id) => flagged.has(id))).toEqual([]);
    }
  });

  it("compares a rare merchant's payment with what was paid there before (an amount jump)", () => {
    const a = accounts[2]!;
    const last = a.transactions[a.transactions.length - 1]!;
    const base: HistoryTxn[] = [
      ...a.transactions,
      { id: "zz_1", date: "2026-03-02", amount: -2_500, description: "CB GARAGE DES TILLEULS", category: "transport" },
      { id: "zz_2", date: "2026-06-02", amount: -2_700, description: "CB GARAGE DES TILLEULS", category: "transport" },
      { id: "zz_3", date: last.date, amount: -95_000, description: "CB GARAGE DES TILLEULS", category: "transport" },
    ];
    const hit = detectAnomalies(base).find((x) => x.transaction_id === "zz_3")!;
    expect(hit.score).toBeGreaterThanOrEqual(ANOMALY_THRESHOLD);
    expect(hit.reason).toMatch(/a merchant you used 2 times before: .*, 3\d× what you paid there before/);
    expect(detectAnomalies(base).map((x) => x.transaction_id)).not.toContain("zz_2");
  });

  it("ranks the same way whatever the input order (ties by amount, then id)", () => {
    const a = accounts[3]!;
    const reversed = [...a.transactions].reverse();
    expect(detectAnomalies(reversed)).toEqual(detectAnomalies(a.transactions));
    const out = detectAnomalies(a.transactions);
    expect(out.every((x, i) => i === 0 || out[i - 1]!.score >= x.score)).toBe(true);
  });
});
