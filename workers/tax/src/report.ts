// The tax report, assembled from SQL aggregates of the ledger projection. Pure: no I/O; the estimate
// comes from the same engine as POST /v1/tax/income-tax, so both always agree.
import { computeIncomeTax, type FieldError, type IncomeTaxResult, type Result } from "./domain";
import { US_PARAMS, type UsFilingStatus } from "./domain/params/us";

/** The taxonomy categories the report reads. */
export const REPORT_CATEGORIES = ["income", "charity", "taxes"] as const;
/** At most this many deductible items are listed one by one (the totals always cover all of them). */
export const MAX_LISTED_ITEMS = 100;

/**
 * One row per category and currency: sums of positive and of negative amounts (as positive numbers).
 * Sums are bigints: a year of entries can add up past 2^53 (the SQL side is core's exactSum).
 */
export interface CategoryTotals {
  category: string;
  currency: string;
  inflow: bigint;
  inflow_count: number;
  outflow: bigint;
  outflow_count: number;
}

export interface DonationRow {
  id: string;
  occurred_date: string;
  description: string;
  counterparty: string | null;
  amount: number; // negative in the ledger
}

export interface ReportInput {
  jurisdiction: string;
  currency: string;
  income_year: number;
  filing_status: string;
  dependents: number;
  totals: CategoryTotals[];
  donations: DonationRow[];
}

export interface DeductibleItem {
  transaction_id: string;
  occurred_date: string;
  description: string;
  counterparty: string | null;
  amount: number;
  kind: "charitable_donation";
  applied_to_estimate: boolean;
}

export interface TaxReport {
  jurisdiction: string;
  income_year: number;
  currency: string;
  period: { from: string; to: string };
  filing_status: string;
  dependents: number;
  income: { total: bigint; transactions: number; treated_as: "salaries"; negative_not_subtracted: bigint };
  deductible_items: DeductibleItem[];
  deductible_total: bigint;
  deductible_items_listed_all: boolean;
  taxes_paid: { total: bigint; transactions: number; refunded: bigint };
  vat_paid: number | null;
  estimate: IncomeTaxResult;
  excluded_other_currencies: { currency: string; transactions: number }[];
  notes: string[];
}

const ZERO_ROW = { inflow: 0n, inflow_count: 0, outflow: 0n, outflow_count: 0 };

export function buildReport(input: ReportInput): Result<TaxReport> {
  const { jurisdiction, currency, income_year: year, filing_status, dependents } = input;
  const row = (category: string) => input.totals.find((t) => t.category === category && t.currency === currency) ?? ZERO_ROW;
  const income = row("income");
  const charity = row("charity");
  const taxes = row("taxes");

  // Past 2^53 the double is inexact, but then it is far above what the engine accepts (10^13) and the
  // error below quotes the exact figure.
  const estimate = computeIncomeTax({
    jurisdiction,
    income_year: year,
    filing_status,
    dependents,
    income: { salaries: [Number(income.inflow)] },
  });
  if (!estimate.ok) {
    const errors: FieldError[] = estimate.errors.map((e) =>
      e.path.startsWith("income") ? { path: "income", message: `the year's income (${income.inflow}) ${e.message}` } : e,
    );
    return { ok: false, errors };
  }

  const others = new Map<string, number>();
  for (const t of input.totals) {
    if (t.currency === currency) continue;
    others.set(t.currency, (others.get(t.currency) ?? 0) + t.inflow_count + t.outflow_count);
  }

  const notes = [
    `Income is the sum of the year's positive \`income\` transactions in ${currency}, treated as one earner's gross taxable wages ` +
      (jurisdiction === "FR" ? "(the 10 % professional-expense deduction is applied). " : "(the basic standard deduction is applied). ") +
      "Bank credits are usually net of social contributions and withholding " +
      (jurisdiction === "FR" ? "(prélèvement à la source)" : "(federal income tax withholding, FICA)") +
      ", so the real taxable wages and the tax are likely higher. For a household with several earners, use POST /v1/tax/income-tax with one salary each.",
    jurisdiction === "FR"
      ? "Donations (`charity`) are listed but not applied: in France they give a réduction d'impôt of 66 % of the amount (75 % for some bodies helping people in difficulty) within 20 % of taxable income, excess carried forward 5 years (CGI art. 200), which this estimate does not compute."
      : `Donations (\`charity\`) are listed but not applied: they are itemised deductions (IRC §170) that lower the tax only when all itemised deductions together exceed the standard deduction (${formatUsd(US_PARAMS[year]?.standardDeduction[filing_status as UsFilingStatus]?.value)}); this estimate uses the standard deduction.`,
    "`taxes_paid` sums the outflows categorised `taxes` (income tax, property tax and fines alike); it is not subtracted from the estimate.",
    "`vat_paid` is null: ledger entries do not record the VAT they include. POST /v1/tax/vat splits a gross amount into net and VAT.",
    "Reversed transactions and their reversals are left out.",
  ];
  if (income.outflow_count > 0)
    notes.push(`${income.outflow_count} negative \`income\` transaction(s) totalling ${income.outflow} were not subtracted from income.`);
  if (others.size > 0)
    notes.push(`Transactions in other currencies (${[...others.keys()].join(", ")}) are left out: the report does not convert currencies.`);

  return {
    ok: true,
    value: {
      jurisdiction,
      income_year: year,
      currency,
      period: { from: `${year}-01-01`, to: `${year}-12-31` },
      filing_status,
      dependents,
      income: { total: income.inflow, transactions: income.inflow_count, treated_as: "salaries", negative_not_subtracted: income.outflow },
      deductible_items: input.donations.map((d) => ({
        transaction_id: d.id,
        occurred_date: d.occurred_date,
        description: d.description,
        counterparty: d.counterparty,
        amount: -d.amount,
        kind: "charitable_donation" as const,
        applied_to_estimate: false,
      })),
      deductible_total: charity.outflow,
      deductible_items_listed_all: input.donations.length >= charity.outflow_count,
      taxes_paid: { total: taxes.outflow, transactions: taxes.outflow_count, refunded: taxes.inflow },
      vat_paid: null,
      estimate: estimate.value,
      excluded_other_currencies: [...others].map(([cur, n]) => ({ currency: cur, transactions: n })),
      notes,
    },
  };
}

function formatUsd(cents: number | undefined): string {
  if (cents === undefined) return "see IRC §63(c)";
  return `$${String(Math.trunc(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
}
