import { describe, expect, it } from "vitest";
import { computeIncomeTax, FR_FILING_STATUSES, splitVat, US_FILING_STATUSES } from "./index";
import { prng, randInt } from "./test-helpers";
import type { Income, IncomeTaxResult } from "./types";

// Seeded property tests: a few thousand random households/amounts each, reproducible from the seed.

const N = 2_000;
const CASES = [...FR_FILING_STATUSES.map((s) => ["FR", s] as const), ...US_FILING_STATUSES.map((s) => ["US", s] as const)];

function tax(j: string, year: number, status: string, dependents: number, income: Income): IncomeTaxResult {
  const r = computeIncomeTax({ jurisdiction: j, income_year: year, filing_status: status, dependents, income });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

/** Mostly realistic incomes, sometimes huge ones (up to the 10^13 limit). */
const amount = (rand: () => number): number => (rand() < 0.9 ? randInt(rand, 50_000_000) : randInt(rand, 10 ** 13));

describe("income tax properties", () => {
  it("never decreases when income rises (taxable income and salaries)", () => {
    const rand = prng(1);
    for (let i = 0; i < N; i++) {
      const [j, status] = CASES[randInt(rand, CASES.length - 1)]!;
      const year = 2024 + randInt(rand, 1);
      const deps = randInt(rand, 5);
      const a = amount(rand);
      const b = Math.min(10 ** 13, a + randInt(rand, 5_000_000));
      const useSalaries = rand() < 0.5;
      const inc = (x: number): Income => (useSalaries ? { salaries: [x] } : { taxable_income: x });
      const lo = tax(j, year, status, deps, inc(a)).tax;
      const hi = tax(j, year, status, deps, inc(b)).tax;
      if (hi < lo) throw new Error(`${j} ${year} ${status} ${deps}: tax(${a})=${lo} > tax(${b})=${hi}`);
    }
  });

  it("never exceeds income, is never negative, and FR tax is whole euros", () => {
    const rand = prng(2);
    for (let i = 0; i < N; i++) {
      const [j, status] = CASES[randInt(rand, CASES.length - 1)]!;
      const v = tax(j, 2024 + randInt(rand, 1), status, randInt(rand, 6), { taxable_income: amount(rand) });
      expect(v.tax).toBeGreaterThanOrEqual(0);
      expect(v.tax).toBeLessThanOrEqual(v.taxable_income);
      expect(v.effective_rate).toBeLessThan(0.46);
      if (j === "FR") {
        expect(v.tax % 100).toBe(0);
        expect(v.tax === 0 || v.tax >= 6_100).toBe(true);
        expect(v.decote!).toBeLessThanOrEqual(v.tax_before_credits);
      }
    }
  });

  it("more parts (dependants) never increase the tax", () => {
    const rand = prng(3);
    for (let i = 0; i < N; i++) {
      const [j, status] = CASES[randInt(rand, CASES.length - 1)]!;
      const year = 2024 + randInt(rand, 1);
      const deps = randInt(rand, 8);
      const income = { taxable_income: amount(rand) };
      const fewer = tax(j, year, status, deps, income);
      const more = tax(j, year, status, deps + 1, income);
      expect(more.tax).toBeLessThanOrEqual(fewer.tax);
      if (j === "FR") expect(more.parts!).toBeGreaterThan(fewer.parts!);
    }
  });

  it("bracket lines add up to the income they cover", () => {
    const rand = prng(4);
    for (let i = 0; i < N; i++) {
      const [j, status] = CASES[randInt(rand, CASES.length - 1)]!;
      const v = tax(j, 2024 + randInt(rand, 1), status, randInt(rand, 4), { taxable_income: amount(rand) });
      const covered = v.brackets.reduce((s, b) => s + b.taxable, 0);
      expect(Math.abs(covered - v.taxable_income)).toBeLessThanOrEqual(v.brackets.length); // per-line cent rounding
    }
  });
});

describe("VAT properties", () => {
  it("net + vat = gross, net→gross→net is exact, gross→net→gross is within 1 minor unit", () => {
    const rand = prng(5);
    const rates = [0, 210, 500, 550, 700, 1000, 1900, 2000, 2100, 2300, 2400, 2550, 2700];
    for (let i = 0; i < 5 * N; i++) {
      const r = rates[randInt(rand, rates.length - 1)]!;
      const a = rand() < 0.8 ? randInt(rand, 10_000_000) : randInt(rand, 10 ** 13);
      const fromNet = splitVat(a, r, false);
      const fromGross = splitVat(a, r, true);
      for (const x of [fromNet, fromGross]) {
        expect(x.net + x.vat).toBe(x.gross);
        expect(x.vat).toBeGreaterThanOrEqual(0);
      }
      expect(splitVat(fromNet.gross, r, true).net).toBe(a);
      expect(Math.abs(splitVat(fromGross.net, r, false).gross - a)).toBeLessThanOrEqual(1);
    }
  });
});
