// Histories shared by the anomaly tests and the CPU bench (scripts/bench/anomalies-cpu.ts).
import type { HistoryTxn } from "./history";

/** `n` card payments at one merchant over ten years, the one at index `spike` (if any) at 40 000 minor units. */
export function oneMerchantHistory(n: number, spike?: number): HistoryTxn[] {
  const txns: HistoryTxn[] = Array.from({ length: n }, (_, i) => ({
    id: `big_${String(i).padStart(5, "0")}`,
    date: `20${10 + Math.floor(i / 2000)}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`,
    amount: -(8000 + ((i * 37) % 11) * 100),
    description: "CB CARREFOUR MARKET",
    category: "groceries",
  }));
  if (spike !== undefined) txns[spike] = { ...txns[spike]!, amount: -40000 };
  return txns;
}
