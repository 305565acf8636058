import { describe, expect, it } from "vitest";
import type { HistoryTxn } from "./history";
import { detectAnomalies } from "./anomalies";
import { oneMerchantHistory } from "./fixtures";

const weekly = (n: number): HistoryTxn[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `txn_${String(i).padStart(3, "0")}`,
    date: `2025-${String(1 + Math.floor(i / 4)).padStart(2, "0")}-${String(1 + (i % 4) * 7).padStart(2, "0")}`,
    amount: -(8000 + ((i * 37) % 11) * 100),
    description: `CB CARREFOUR MARKET ${String(i).padStart(4, "0")}`,
    category: "groceries",
  }));

describe("detectAnomalies", () => {
  it("ranks an injected outlier first with a human reason", () => {
    const txns = weekly(24);
    txns[10] = { ...txns[10]!, amount: -40000 };
    const out = detectAnomalies(txns);
    expect(out[0]!.transaction_id).toBe("txn_010");
    expect(out[0]!.reason).toMatch(/^4\.\d× your usual spend at CARREFOUR MARKET$/);
    expect(out.every((a, i) => i === 0 || out[i - 1]!.score >= a.score)).toBe(true);
  });

  it("flags nothing in a regular history, and respects from/to", () => {
    expect(detectAnomalies(weekly(24))).toEqual([]);
    const txns = weekly(24);
    txns[10] = { ...txns[10]!, amount: -40000 };
    expect(detectAnomalies(txns, { from: "2025-05-01" })).toEqual([]);
  });

  it("flags a duplicated monthly charge", () => {
    const txns: HistoryTxn[] = Array.from({ length: 6 }, (_, i) => ({
      id: `n${i}`,
      date: `2025-0${i + 1}-12`,
      amount: -1549,
      description: "PRLV SEPA NETFLIX.COM",
    }));
    txns.push({ id: "n9", date: "2025-06-12", amount: -1549, description: "PRLV SEPA NETFLIX.COM" });
    const out = detectAnomalies(txns);
    expect(out[0]!.transaction_id).toBe("n9");
    expect(out[0]!.reason).toMatch(/duplicate/);
  });

  // Its time is measured in Node by scripts/bench/anomalies-cpu.ts: workerd's clock stands still without I/O.
  it("finds the one spike among 20 000 payments at one merchant", () => {
    const out = detectAnomalies(oneMerchantHistory(20_000, 12_345));
    expect(out[0]!.transaction_id).toBe("big_12345");
    expect(out[0]!.reason).toMatch(/^4\.\d× your usual spend at CARREFOUR MARKET$/);
  });
});
