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

export interface BracketLine {
  /** Lower and upper bound of the bracket for this household (FR: per-part threshold × parts); `to` null for the top. */
  from: number;
  to: number | null;
  rate: number; // e.g. 0.11
  taxable: number; // part of the taxable income falling in the bracket
  tax: number;
}

export interface IncomeTaxResult {
  jurisdiction: string;
  income_year: number;
  currency: string;
  gross_income: number;
  taxable_income: number;
  /** FR only: parts of the family quotient (e.g. 2.5). */
  parts?: number;
  /** FR: tax from the scale after the family-quotient ceiling, before décote. US: tax from the rate schedule. */
  tax_before_credits: number;
  /** FR only: décote, never more than tax_before_credits. */
  decote?: number;
  /** Amount finally owed. FR: rounded to the euro, 0 below the 61 € collection threshold. */
  tax: number;
  effective_rate: number; // tax / gross_income
  marginal_rate: number; // rate of the top bracket reached by the computation that set the tax
  brackets: BracketLine[];
  sources: string[];
}

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
