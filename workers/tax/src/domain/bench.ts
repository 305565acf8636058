import { computeIncomeTax } from "./index";

/**
 * Mean wall-clock microseconds per income-tax computation over `iterations` varied inputs
 * (FR with family-quotient ceiling and décote paths, and US). Note: inside a deployed Worker
 * `performance.now()` only advances on I/O, so run this under Node/vitest.
 */
export function benchIncomeTax(iterations = 10_000): number {
  const inputs = [
    { jurisdiction: "FR", income_year: 2025, filing_status: "married", dependents: 2, income: { taxable_income: 20_000_000 } },
    { jurisdiction: "FR", income_year: 2024, filing_status: "single", dependents: 0, income: { salaries: [2_200_000] } },
    { jurisdiction: "FR", income_year: 2024, filing_status: "widowed", dependents: 3, income: { taxable_income: 9_000_000 } },
    { jurisdiction: "US", income_year: 2025, filing_status: "married_joint", dependents: 1, income: { salaries: [9_000_000, 6_000_000] } },
  ];
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 1_000); i++) computeIncomeTax(inputs[i % inputs.length]); // warm-up (JIT)
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = computeIncomeTax(inputs[i % inputs.length]);
    if (r.ok) sink += r.value.tax;
  }
  const elapsed = performance.now() - start;
  if (sink < 0) throw new Error("unreachable"); // keeps the loop from being optimised away
  return (elapsed * 1000) / iterations;
}
