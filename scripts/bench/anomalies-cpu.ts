// Pure CPU time of the anomaly scores on 20 000 payments at one merchant, in Node (inside workerd
// performance.now() only advances on I/O, so a test there would always measure 0). Budget: 2 s.
// Run: node_modules/.bin/tsx scripts/bench/anomalies-cpu.ts (scripts/bench/anomalies.mjs runs it in `npm run bench`).
import { detectAnomalies } from "../../workers/ai/src/domain/anomalies";
import { oneMerchantHistory } from "../../workers/ai/src/domain/fixtures";

const BUDGET_MS = 2_000;
const txns = oneMerchantHistory(20_000, 12_345);
detectAnomalies(txns.slice(0, 2_000)); // JIT warm-up
const runs: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const out = detectAnomalies(txns);
  runs.push(performance.now() - t0);
  if (out[0]?.transaction_id !== "big_12345") throw new Error(`the spike was not found first: ${JSON.stringify(out[0])}`);
}
const worst = Math.max(...runs);
console.log(
  `anomaly scores, 20 000 payments at one merchant (Node ${process.version}): median ${runs.sort((a, b) => a - b)[2]!.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`,
);
console.log(`  budget ${BUDGET_MS} ms: ${worst < BUDGET_MS ? "OK" : "EXCEEDED"}`);
if (worst >= BUDGET_MS) process.exitCode = 1;
