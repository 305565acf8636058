// Public shapes of the tax engine. All amounts are integer minor units (cents); rates and parts are plain numbers.

export interface FieldError {
  readonly path: string; // e.g. "filing_status", "income.salaries.0"
  readonly message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(errors: FieldError[]): Result<T> => ({ ok: false, errors });

/** A display ratio (not money) such as an effective rate, to 6 decimals. */
export const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 1e6) / 1e6 : 0);

export type Income = { salaries: number[] } | { taxable_income: number };

export interface IncomeTaxInput {
  jurisdiction: string;
  income_year: number;
  filing_status: string;
  dependents?: number;
  income: Income;
}

// The engine's answer is the income-tax endpoint's, which other workers receive by RPC: its shape lives in core.
export type { BracketLine, IncomeTaxResult } from "#core/rpc";

export interface VatInput {
  country: string;
  rate: string;
  amount: number;
  amount_includes_vat: boolean;
  date?: string; // YYYY-MM-DD, date of supply; defaults to today (UTC)
}

export interface VatResult {
  net: number;
  vat: number;
  gross: number;
  rate_bps: number;
}
