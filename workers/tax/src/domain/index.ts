// Pure tax engine: French and US income tax, VAT. No I/O; every figure comes from ./params.
// Conventions: money is integer minor units (cents) and computed with exact rationals (./rational);
// tax rates are basis points in the data; rates in results (0.11) are display values, not money.
// Inputs are `unknown` (parsed JSON) and validated here; errors carry a field path such as "income.salaries.0".
import { computeFr, frDeclarants, FR_FILING_STATUSES, type FrFilingStatus } from "./fr";
import { FR_PARAMS } from "./params/fr";
import { US_FILING_STATUSES, US_PARAMS, type UsFilingStatus } from "./params/us";
import { fail, ok, type FieldError, type IncomeTaxResult, type Result } from "./types";
import { computeUs, usDeclarants } from "./us";
import { checkDependents, checkIncome, isRecord } from "./validate";

export type * from "./types";
export { computeVat, splitVat, vatRates, vatRateAt, type VatRateRow } from "./vat";
export { VAT_CLASSES, type VatClass } from "./params/vat";
export { FR_FILING_STATUSES } from "./fr";
export { US_FILING_STATUSES } from "./params/us";

export interface Jurisdiction {
  code: string;
  name: string;
  currency: string;
  income_years: number[];
}

const years = (params: Record<number, unknown>): number[] =>
  Object.keys(params)
    .map(Number)
    .sort((a, b) => a - b);

const JURISDICTIONS = {
  FR: { name: "France", currency: "EUR", statuses: FR_FILING_STATUSES, years: years(FR_PARAMS) },
  US: { name: "United States (federal)", currency: "USD", statuses: US_FILING_STATUSES, years: years(US_PARAMS) },
} as const;
type Code = keyof typeof JURISDICTIONS;

export function listJurisdictions(): Jurisdiction[] {
  return Object.entries(JURISDICTIONS).map(([code, j]) => ({
    code,
    name: j.name,
    currency: j.currency,
    income_years: [...j.years],
  }));
}

/** Income tax for one household and year; errors name the offending field. */
export function computeIncomeTax(input: unknown): Result<IncomeTaxResult> {
  if (!isRecord(input)) return fail([{ path: "", message: "body must be an object" }]);
  const code = input.jurisdiction;
  if (typeof code !== "string" || !(code in JURISDICTIONS)) {
    return fail([{ path: "jurisdiction", message: `unknown jurisdiction; known: ${Object.keys(JURISDICTIONS).join(", ")}` }]);
  }
  const j = JURISDICTIONS[code as Code];
  const errors: FieldError[] = [];
  const year = input.income_year;
  if (typeof year !== "number" || !j.years.includes(year)) {
    errors.push({ path: "income_year", message: `${code} supports income years ${j.years.join(", ")}` });
  }
  const status = input.filing_status;
  const statusOk = (j.statuses as readonly unknown[]).includes(status);
  if (!statusOk) errors.push({ path: "filing_status", message: `${code} filing status must be one of ${j.statuses.join(", ")}` });
  const dependents = checkDependents(input.dependents, errors);
  const declarants = !statusOk ? 2 : code === "FR" ? frDeclarants(status as FrFilingStatus) : usDeclarants(status as UsFilingStatus);
  const income = checkIncome(input.income, declarants + dependents, errors);
  if (errors.length || !income) return fail(errors);

  const y = year as number;
  const value =
    code === "FR"
      ? computeFr(FR_PARAMS[y]!, status as FrFilingStatus, dependents, income)
      : computeUs(US_PARAMS[y]!, status as UsFilingStatus, income);
  return ok({ jurisdiction: code, income_year: y, currency: j.currency, ...value });
}
