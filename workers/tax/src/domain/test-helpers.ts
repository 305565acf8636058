// Shared by the *.test.ts files only.
import { mulberry32 } from "#core/random";
import { computeIncomeTax } from "./index";
import type { Income, IncomeTaxResult } from "./types";

export function incomeTax(
  jurisdiction: string,
  income_year: number,
  filing_status: string,
  dependents: number,
  income: Income,
): IncomeTaxResult {
  const r = computeIncomeTax({ jurisdiction, income_year, filing_status, dependents, income });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

/** Test-only: an amount written as in the cited source (e.g. 5 230.96) → cents. */
export const c = (units: number): number => Math.round(units * 100);

/** Deterministic PRNG for property tests. */
export const prng = mulberry32;
export const randInt = (rand: () => number, max: number): number => Math.floor(rand() * (max + 1));
