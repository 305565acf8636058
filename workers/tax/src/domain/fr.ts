import { FR_PARTS_SOURCE, type FrYearParams } from "./params/fr";
import { applyScale } from "./scale";
import { bps, cmp, max, min, mul, q, roundToUnit, sub, toCents, ZERO } from "./rational";
import { ratio, type Income, type IncomeTaxResult } from "./types";

// France — impôt sur le revenu (CGI art. 193 to 197), for revenue from salaries or a given revenu net imposable.
// Modelled: parts (art. 194 I), family-quotient ceiling (197 I 2) incl. the widow's complementary
// reduction, décote (197 I 4 a), 10 % professional-expense deduction (83 3°), rounding and the 61 € threshold (1657).
// Not modelled: extra half-parts for invalidity, veterans, "parent isolé" (case T) or "case L",
// shared custody, other income categories, réductions/crédits d'impôt, CEHR.

export const FR_FILING_STATUSES = ["single", "married", "pacs", "widowed"] as const;
export type FrFilingStatus = (typeof FR_FILING_STATUSES)[number];

const isCouple = (s: FrFilingStatus): boolean => s === "married" || s === "pacs";
export const frDeclarants = (s: FrFilingStatus): number => (isCouple(s) ? 2 : 1);

/**
 * Parts in half-parts (integers, so 2.5 parts = 5). Art. 194 I: 1 part per declarant, and a widowed
 * taxpayer with dependants counts 2 like a married couple; +1/2 for each of the first two children,
 * +1 from the third. `refHalves` is the base the ceiling is measured from (197 I 2): 1 part for
 * single, divorced and widowed taxpayers, 2 for joint taxation.
 */
export function frParts(status: FrFilingStatus, dependents: number): { halves: number; refHalves: number } {
  const widowWithDependants = status === "widowed" && dependents > 0;
  const base = isCouple(status) || widowWithDependants ? 4 : 2;
  const children = dependents <= 2 ? dependents : 2 + 2 * (dependents - 2);
  return { halves: base + children, refHalves: isCouple(status) ? 4 : 2 };
}

/** 10 % of each salary, within [min, max] per person and never more than the salary itself (art. 83 3°). */
export function frProDeduction(p: FrYearParams, salary: number): number {
  const tenPercent = toCents(mul(q(salary), bps(p.proDeductionRateBps.value)));
  return Math.min(salary, Math.max(p.proDeductionMin.value, Math.min(p.proDeductionMax.value, tenPercent)));
}

type FrResult = Omit<IncomeTaxResult, "jurisdiction" | "income_year" | "currency">;

export function computeFr(p: FrYearParams, status: FrFilingStatus, dependents: number, income: Income): FrResult {
  const used = new Set<string>([p.scale.source, FR_PARTS_SOURCE]);
  let gross: number;
  let taxable: number;
  if ("salaries" in income) {
    gross = income.salaries.reduce((a, b) => a + b, 0);
    taxable = income.salaries.reduce((a, s) => a + s - frProDeduction(p, s), 0);
    used.add(p.proDeductionMin.source);
  } else {
    gross = taxable = income.taxable_income;
  }

  // Family quotient and its ceiling: tax = max(tax with all parts, tax with base parts − ceiling × extra half-parts).
  const { halves, refHalves } = frParts(status, dependents);
  const R = q(taxable);
  const all = applyScale(p.scale.value, R, q(halves, 2));
  const ref = applyScale(p.scale.value, R, q(refHalves, 2));
  const capped = sub(ref.tax, q(p.qfCeilingPerHalfPart.value * (halves - refHalves)));
  let scaled = all;
  let brut = all.tax;
  if (halves > refHalves && cmp(capped, all.tax) > 0) {
    used.add(p.qfCeilingPerHalfPart.source);
    scaled = ref;
    brut = capped;
    if (status === "widowed" && dependents > 0) {
      // Complementary reduction, limited to the increase the ceiling caused.
      brut = sub(capped, min(q(p.widowReduction.value), sub(capped, all.tax)));
    }
  }

  // Décote: (amount − 45.25 % × tax), within [0, tax].
  const decoteBase = isCouple(status) ? p.decoteCouple : p.decoteSingle;
  const decote = min(brut, max(ZERO, sub(q(decoteBase.value), mul(brut, bps(p.decoteRateBps.value)))));
  if (cmp(decote, ZERO) > 0) used.add(decoteBase.source);

  const rounded = roundToUnit(sub(brut, decote), p.roundingUnit.value);
  const tax = rounded < p.collectionThreshold.value ? 0 : rounded;
  used.add(p.collectionThreshold.source);

  return {
    gross_income: gross,
    taxable_income: taxable,
    parts: halves / 2,
    tax_before_credits: toCents(brut),
    decote: toCents(decote),
    tax,
    effective_rate: ratio(tax, gross),
    marginal_rate: scaled.marginalBps / 10_000,
    brackets: scaled.lines,
    sources: [...used],
  };
}
