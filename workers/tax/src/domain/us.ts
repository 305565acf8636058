import type { UsFilingStatus, UsYearParams } from "./params/us";
import { applyScale } from "./scale";
import { q, toCents } from "./rational";
import { ratio, type Income, type IncomeTaxResult } from "./types";

// United States — federal income tax on ordinary income from the rate schedules (IRC §1(j)).
// Salaries: taxable income = total wages − basic standard deduction. Dependents are accepted but
// change nothing: no child tax credit, no other credits, no additional standard deduction for age or
// blindness, no capital-gains rates, no AMT. The exact schedule is used (the IRS Tax Table below
// $100 000 rounds to $50 rows, so it can differ by a few dollars).

export const usDeclarants = (s: UsFilingStatus): number => (s === "married_joint" ? 2 : 1);

type UsResult = Omit<IncomeTaxResult, "jurisdiction" | "income_year" | "currency">;

export function computeUs(p: UsYearParams, status: UsFilingStatus, income: Income): UsResult {
  const brackets = p.brackets[status];
  const sources = [brackets.source];
  let gross: number;
  let taxable: number;
  if ("salaries" in income) {
    gross = income.salaries.reduce((a, b) => a + b, 0);
    const deduction = p.standardDeduction[status];
    taxable = Math.max(0, gross - deduction.value);
    sources.push(deduction.source);
  } else {
    gross = taxable = income.taxable_income;
  }
  const scaled = applyScale(brackets.value, q(taxable));
  const tax = toCents(scaled.tax);
  return {
    gross_income: gross,
    taxable_income: taxable,
    tax_before_credits: tax,
    tax,
    effective_rate: ratio(tax, gross),
    marginal_rate: scaled.marginalBps / 10_000,
    brackets: scaled.lines,
    sources,
  };
}
