// Pure CPU time of the tax engine per income-tax computation, outside any worker (in a deployed Worker
// performance.now() only advances on I/O). Run: node_modules/.bin/tsx scripts/bench/tax-cpu.ts [iterations] [--json]
import { benchIncomeTax } from "../../workers/tax/src/domain/bench";
import { computeIncomeTax } from "../../workers/tax/src/domain/index";

const CASES: Record<string, unknown[]> = {
  FR: [
    { jurisdiction: "FR", income_year: 2024, filing_status: "single", dependents: 0, income: { salaries: [3_500_000] } },
    { jurisdiction: "FR", income_year: 2025, filing_status: "married", dependents: 2, income: { taxable_income: 20_000_000 } }, // QF ceiling
    { jurisdiction: "FR", income_year: 2024, filing_status: "single", dependents: 0, income: { taxable_income: 2_000_000 } }, // décote
    { jurisdiction: "FR", income_year: 2024, filing_status: "widowed", dependents: 3, income: { taxable_income: 9_000_000 } },
  ],
  US: [
    { jurisdiction: "US", income_year: 2025, filing_status: "single", dependents: 0, income: { salaries: [10_000_000] } },
    { jurisdiction: "US", income_year: 2024, filing_status: "married_joint", dependents: 1, income: { salaries: [9_000_000, 6_000_000] } },
    { jurisdiction: "US", income_year: 2025, filing_status: "head_of_household", dependents: 2, income: { taxable_income: 100_000_000 } }, // all 7 brackets
  ],
};

function measure(inputs: unknown[], iterations: number) {
  let sink = 0;
  for (let i = 0; i < 2_000; i++) computeIncomeTax(inputs[i % inputs.length]); // JIT warm-up
  const samples = new Float64Array(Math.ceil(iterations / 100));
  const start = performance.now();
  for (let s = 0; s < samples.length; s++) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) {
      const r = computeIncomeTax(inputs[(s * 100 + i) % inputs.length]);
      if (r.ok) sink += r.value.tax;
    }
    samples[s] = ((performance.now() - t0) * 1000) / 100; // µs per computation in this batch of 100
  }
  const total = performance.now() - start;
  if (sink < 0) throw new Error("unreachable");
  const sorted = [...samples].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { mean_us: (total * 1000) / (samples.length * 100), p50_us: pct(50), p99_us: pct(99) };
}

const iterations = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 50_000);
const results = {
  FR: measure(CASES.FR!, iterations),
  US: measure(CASES.US!, iterations),
  mixed_benchIncomeTax_mean_us: benchIncomeTax(iterations),
};

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(results));
} else {
  const f = (x: number) => x.toFixed(2).padStart(8);
  console.log(`tax engine CPU per income-tax computation (${iterations} iterations, Node ${process.version})`);
  for (const j of ["FR", "US"] as const) {
    const r = results[j];
    console.log(`  ${j}     mean ${f(r.mean_us)} µs   p50 ${f(r.p50_us)} µs   p99 ${f(r.p99_us)} µs (per batch of 100)`);
  }
  console.log(`  mixed  mean ${f(results.mixed_benchIncomeTax_mean_us)} µs   (benchIncomeTax)`);
  const worst = Math.max(results.FR.p99_us, results.US.p99_us);
  console.log(`  budget 1 ms: ${worst < 1_000 ? "OK" : "EXCEEDED"}`);
  if (worst >= 1_000) process.exitCode = 1;
}
