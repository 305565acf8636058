// Schemas shared by the tax routes. Request schemas check shape and types (strict: unknown fields → 422);
// the pure engine (../domain) checks the rules that depend on the jurisdiction and year and names the field.
import { ApiError, MAX_AMOUNT, z, type FieldError } from "#core";
import { FR_FILING_STATUSES, US_FILING_STATUSES, listJurisdictions } from "../domain";

export const JURISDICTION_CODES = listJurisdictions().map((j) => j.code) as [string, ...string[]];
export const FILING_STATUSES: Record<string, readonly string[]> = { FR: FR_FILING_STATUSES, US: US_FILING_STATUSES };
const ALL_STATUSES = [...new Set([...FR_FILING_STATUSES, ...US_FILING_STATUSES])] as [string, ...string[]];

/** A non-negative integer amount in minor units, at most 10^13 (the engine's limit). */
export const taxAmount = z
  .number()
  .int("must be an integer amount in minor units (cents)")
  .min(0, "must not be negative")
  .max(MAX_AMOUNT, `must not exceed ${MAX_AMOUNT} minor units`);

const cents = (description: string) => z.number().int().openapi({ description });

export const jurisdictionSchema = z
  .object({
    code: z.string().openapi({ example: "FR" }),
    name: z.string().openapi({ example: "France" }),
    currency: z.string().openapi({ example: "EUR" }),
    income_years: z.array(z.number().int()).openapi({ example: [2024, 2025] }),
    filing_statuses: z.array(z.string()).openapi({ example: [...FR_FILING_STATUSES] }),
  })
  .openapi("TaxJurisdiction");

export const incomeTaxRequestSchema = z
  .strictObject({
    jurisdiction: z.enum(JURISDICTION_CODES).openapi({ example: "FR" }),
    income_year: z.number().int().openapi({ example: 2025, description: "Calendar year the income was earned (FR: « revenus N »)" }),
    filing_status: z.enum(ALL_STATUSES).openapi({
      example: "single",
      description: "FR: single | married | pacs | widowed. US: single | married_joint | married_separate | head_of_household.",
    }),
    dependents: z
      .number()
      .int()
      .min(0)
      .max(20)
      .optional()
      .openapi({ example: 0, description: "Dependent children (FR: half-parts; US: accepted, no credits modelled). Default 0." }),
    income: z
      .strictObject({
        salaries: z
          .array(taxAmount)
          .optional()
          .openapi({
            description:
              "Gross annual taxable wages, one per earner. FR applies the 10 % professional-expense deduction per person; US the standard deduction.",
            example: [3_500_000],
          }),
        taxable_income: taxAmount.optional().openapi({
          description: "FR revenu net imposable / US taxable income; no deduction applied.",
          example: 3_000_000,
        }),
      })
      .openapi({ description: "Exactly one of `salaries` or `taxable_income`, in minor units." }),
  })
  .openapi("IncomeTaxRequest");

export const bracketSchema = z
  .object({
    from: cents("Lower bound of the bracket for this household (FR: per-part threshold × parts)"),
    to: z.number().int().nullable().openapi({ description: "Upper bound; null for the top bracket" }),
    rate: z.number().openapi({ example: 0.11 }),
    taxable: cents("Part of the taxable income in this bracket"),
    tax: cents("Tax on that part"),
  })
  .openapi("TaxBracketLine");

export const incomeTaxResultSchema = z
  .object({
    jurisdiction: z.string().openapi({ example: "FR" }),
    income_year: z.number().int().openapi({ example: 2024 }),
    currency: z.string().openapi({ example: "EUR" }),
    gross_income: cents("Sum of the salaries, or the taxable income given"),
    taxable_income: cents("After the FR 10 % deduction or the US standard deduction"),
    parts: z.number().optional().openapi({ description: "FR only: parts of the family quotient", example: 1 }),
    tax_before_credits: cents("FR: after the family-quotient ceiling, before the décote. US: from the rate schedule"),
    decote: z.number().int().optional().openapi({ description: "FR only: décote, never more than tax_before_credits" }),
    tax: cents("Amount finally owed. FR: rounded to the euro, 0 under the 61 € collection threshold"),
    effective_rate: z.number().openapi({ example: 0.072167 }),
    marginal_rate: z.number().openapi({ example: 0.3 }),
    brackets: z.array(bracketSchema),
    sources: z.array(z.string()).openapi({ description: "Laws and official pages the parameters come from" }),
  })
  .openapi("IncomeTaxResult");

/** The engine's own validation errors → 422 validation_failed naming the fields. */
export function engineFailure(errors: FieldError[]): ApiError {
  const named = errors.map((e) => ({ path: e.path || "(body)", message: e.message }));
  const first = named[0];
  return new ApiError("validation_failed", first ? `${first.path}: ${first.message}` : "The request is not valid.", { errors: named });
}
