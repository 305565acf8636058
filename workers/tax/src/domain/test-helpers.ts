// Shared by the *.test.ts files only.
import { computeIncomeTax } from './index';
import type { Income, IncomeTaxResult } from './types';

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

/** Deterministic PRNG (mulberry32) for property tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const randInt = (rand: () => number, max: number): number => Math.floor(rand() * (max + 1));
