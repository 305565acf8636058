import { MAX_AMOUNT } from "#core/money";
import type { FieldError, Income } from "./types";

// Runtime checks for JSON input: the HTTP shell passes parsed bodies straight in.

export const MAX_DEPENDENTS = 20;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** An amount is a non-negative integer number of minor units, at most 10^13. */
export function checkAmount(v: unknown, path: string, errors: FieldError[]): v is number {
  const message =
    typeof v !== "number" || !Number.isInteger(v)
      ? "must be an integer amount in minor units (cents)"
      : v < 0
        ? "must not be negative"
        : v > MAX_AMOUNT
          ? `must not exceed ${MAX_AMOUNT} minor units`
          : undefined;
  if (message) errors.push({ path, message });
  return message === undefined;
}

export function checkDependents(v: unknown, errors: FieldError[]): number {
  if (v === undefined) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_DEPENDENTS) return v;
  errors.push({ path: "dependents", message: `must be an integer from 0 to ${MAX_DEPENDENTS}` });
  return 0;
}

/** `{salaries: [...]}` (at most one per person of the household) or `{taxable_income}`. */
export function checkIncome(v: unknown, maxEarners: number, errors: FieldError[]): Income | undefined {
  const before = errors.length;
  if (!isRecord(v) || "salaries" in v === "taxable_income" in v) {
    errors.push({ path: "income", message: "must be either {salaries: [amounts]} or {taxable_income: amount}" });
    return undefined;
  }
  if ("taxable_income" in v) {
    return checkAmount(v.taxable_income, "income.taxable_income", errors) ? { taxable_income: v.taxable_income } : undefined;
  }
  const salaries = v.salaries;
  if (!Array.isArray(salaries)) {
    errors.push({ path: "income.salaries", message: "must be an array of amounts, one per person" });
    return undefined;
  }
  if (salaries.length > maxEarners) {
    errors.push({ path: "income.salaries", message: `at most ${maxEarners} salaries (one per declarant or dependant)` });
    return undefined;
  }
  salaries.forEach((s, i) => checkAmount(s, `income.salaries.${i}`, errors));
  return errors.length === before ? { salaries: salaries as number[] } : undefined;
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(v: unknown): v is string {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}
