// Tax households that both the workerd integration suite and the e2e suite ask about, so that the two
// suites send the same request for the same case (and, where both check it, expect the same answer).

/** A single person in France, income year 2024, taxable income 30 000 €… */
export const FR_SINGLE_2024 = {
  jurisdiction: "FR",
  income_year: 2024,
  filing_status: "single",
  dependents: 0,
  income: { taxable_income: 3_000_000 },
};

/** …taxed 2 165 € (the service-public.fr F1419 example). */
export const FR_SINGLE_2024_TAX = {
  currency: "EUR",
  taxable_income: 3_000_000,
  parts: 1,
  tax_before_credits: 216_548,
  decote: 0,
  tax: 216_500,
  marginal_rate: 0.3,
};

/** A married couple in France with two children, income year 2025, salaries of 55 000 € and 38 000 €. */
export const FR_COUPLE_2025 = {
  jurisdiction: "FR",
  income_year: 2025,
  filing_status: "married",
  dependents: 2,
  income: { salaries: [5_500_000, 3_800_000] },
};

/** A single person in the US, income year 2025, wages of $100 000… */
export const US_SINGLE_2025 = { jurisdiction: "US", income_year: 2025, filing_status: "single", income: { salaries: [10_000_000] } };
/** …taxed on $100 000 − the $15 750 standard deduction (OBBBA): $13 449 at a 22 % marginal rate. */
export const US_SINGLE_2025_TAX = {
  currency: "USD",
  gross_income: 10_000_000,
  taxable_income: 10_000_000 - 1_575_000,
  tax: 1_344_900,
  marginal_rate: 0.22,
};
