// Pure CPU time of POST /v1/ai/categorize's work for the bench's 500 lines, outside any worker (in a
// deployed Worker performance.now() only advances on I/O): request validation, rules + featurizer + model.
// Run: node_modules/.bin/tsx scripts/bench/ai-cpu.mjs [iterations]
import { z } from "zod";
const MAX_AMOUNT = 100_000_000_000;
import { categorizeAll, getCategorizer } from "../../workers/ai/src/categorizer.ts";
import { BENCH_LINES } from "./ai-lines.mjs";

const lines = BENCH_LINES;
const body = JSON.stringify({ transactions: lines });
const schema = z.strictObject({
  transactions: z
    .array(
      z.strictObject({
        description: z.string().min(1).max(500),
        amount: z.number().int().min(-MAX_AMOUNT).max(MAX_AMOUNT),
        counterparty: z.string().max(200).nullish(),
      }),
    )
    .min(1)
    .max(500),
});

const n = Number(process.argv[2] ?? 200);
await getCategorizer();
const time = async (name, fn) => {
  for (let i = 0; i < 20; i++) await fn();
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`${name.padEnd(40)} p50 ${ms[n >> 1].toFixed(3)} ms  p90 ${ms[Math.floor(n * 0.9)].toFixed(3)} ms`);
};
await time("JSON.parse + zod (500 lines)", () => schema.parse(JSON.parse(body)));
await time("categorizeAll (500 lines, 10 merchants)", () => categorizeAll(lines));
const distinct = lines.map((l, i) => ({
  ...l,
  description: `${l.description} W${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i / 26) | 0))}`,
}));
await time("categorizeAll (500 distinct lines)", () => categorizeAll(distinct));
await time("JSON.stringify answers", async () => JSON.stringify({ data: await categorizeAll(lines) }));
