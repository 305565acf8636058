/**
 * Tax-optimisation levers, pure: from the request and the engine's baseline answer, the candidate
 * suggestions. A candidate either changes the engine's input (PER, IRA, 401(k), itemised US gifts:
 * the route asks the engine for `tax_after`) or is a reduction/credit the engine does not model
 * (FR donations, services à la personne: `tax_after = frTaxAfterReduction(engine tax, reduction)`).
 */
import type { IncomeTaxRequest, IncomeTaxResult } from "#core";
import { FR, US, isLeverYear, type Cited } from "./levers-data";

/** The income-tax engine's request and the part of its answer the levers read (core's TaxRpc types). */
export type TaxRequest = IncomeTaxRequest;
export type Baseline = Pick<IncomeTaxResult, "gross_income" | "taxable_income" | "tax" | "currency">;

export type Candidate = {
  kind: string;
  amount: number;
  explanation: string;
  sources: string[];
} & ({ input: TaxRequest } | { reduction: number });

/**
 * French collection rules, in minor units (cents), applied to the tax left after a reduction or credit:
 * the tax is rounded to the nearest euro, half up (CGI art. 1657, 1), and not collected under 61 €
 * (CGI art. 1657, 1 bis).
 */
export const FR_COLLECTION = { roundingUnit: 100, minimumCollected: 6_100 } as const;

/** The French tax due once a reduction or credit the engine does not model is taken off: max(0, tax − reduction), rounded, 0 under 61 €. */
export function frTaxAfterReduction(tax: number, reduction: number): number {
  const { roundingUnit, minimumCollected } = FR_COLLECTION;
  const due = Math.round(Math.max(0, tax - reduction) / roundingUnit) * roundingUnit; // Math.round: half up for amounts ≥ 0
  return due < minimumCollected ? 0 : due;
}

const money = (minor: number, currency: string) =>
  `${(minor / 100).toLocaleString("en-US", { minimumFractionDigits: minor % 100 ? 2 : 0, maximumFractionDigits: 2 })} ${currency === "EUR" ? "€" : "$"}`;
/** Round down to a whole major unit: suggestions name round amounts. */
const whole = (minor: number) => Math.max(0, Math.floor(minor / 100) * 100);
const budget = (cash: number | undefined) => cash ?? Number.MAX_SAFE_INTEGER;

/** Spread `total` over earners, each at most `caps[i]`, first earner first. */
function spread(total: number, caps: number[]): number[] {
  let left = total;
  return caps.map((cap) => {
    const x = Math.min(cap, left);
    left -= x;
    return x;
  });
}

export function candidates(req: TaxRequest, base: Baseline, cash?: number): Candidate[] {
  if (!isLeverYear(req.income_year)) return [];
  return req.jurisdiction === "FR"
    ? france(req, base, cash, req.income_year)
    : req.jurisdiction === "US"
      ? unitedStates(req, base, cash, req.income_year)
      : [];
}

function france(req: TaxRequest, base: Baseline, cash: number | undefined, year: 2024 | 2025): Candidate[] {
  const out: Candidate[] = [];
  const cur = base.currency;
  const m = (x: number) => money(x, cur);
  const couple = req.filing_status === "married" || req.filing_status === "pacs";

  // PER: each declarant's ceiling is 10 % of their professional income net of expenses, floor and cap.
  const salaries = req.income.salaries;
  const total = salaries?.reduce((a, b) => a + b, 0) ?? 0;
  const incomes = salaries?.length
    ? salaries.map((s) => (total > 0 ? Math.round((base.taxable_income * s) / total) : 0))
    : couple
      ? [base.taxable_income, 0]
      : [base.taxable_income];
  const p = FR.per;
  const ceiling = incomes.reduce(
    (a, inc) => a + Math.min(p.cap[year].value, Math.max(p.floor[year].value, Math.round(p.rate.value * inc))),
    0,
  );
  const per = whole(Math.min(ceiling, budget(cash), base.taxable_income));
  if (per > 0 && base.tax > 0)
    out.push({
      kind: "fr_per_contribution",
      amount: per,
      input: { ...req, income: { taxable_income: base.taxable_income - per } },
      explanation:
        `Pay ${m(per)} into a plan d'épargne retraite (PER) and deduct it from your taxable income (${m(base.taxable_income)} → ${m(base.taxable_income - per)}). ` +
        `Your household's deduction ceiling for ${year} is about ${m(ceiling)} (10 % of professional income net of expenses, at least ${m(p.floor[year].value)} and at most ${m(p.cap[year].value)} per person; unused ceilings of the 3 previous years, shown on your tax notice, add to it). ` +
        `tax_after is the income-tax engine's answer for the reduced taxable income. The money stays yours, locked until retirement, and is taxed on withdrawal.`,
      sources: [p.rate.source, p.floor[year].source, p.cap[year].source],
    });

  /**
   * A reduction or credit of `rate` × what is given or spent, which the engine does not model: the amount
   * is at most `ceiling`, the cash at hand and what cancels the whole tax (more saves nothing more).
   */
  const reducing = (lever: {
    kind: string;
    rate: number;
    ceiling: number;
    explain: (amount: number, reduction: number) => string;
    sources: string[];
  }) => {
    const amount = whole(Math.min(lever.ceiling, budget(cash), Math.ceil(base.tax / lever.rate)));
    if (amount > 0 && base.tax > 0) {
      const reduction = Math.round(lever.rate * amount);
      out.push({ kind: lever.kind, amount, reduction, explanation: lever.explain(amount, reduction), sources: lever.sources });
    }
  };
  /** How tax_after is found for such a lever (frTaxAfterReduction), as its explanation says it. */
  const notModelled = (what: "reduction" | "credit") =>
    `The engine does not model ${what}s, so tax_after = max(0, engine tax − ${what}), rounded to the euro and 0 under the 61 € collection threshold`;

  // Donations to bodies helping people in difficulty: 75 % within their own ceiling.
  const aid = FR.donationAid;
  reducing({
    kind: "fr_donation_people_in_difficulty",
    rate: aid.rate.value,
    ceiling: aid.ceiling[year].value,
    explain: (amount, reduction) =>
      `Give ${m(amount)} to bodies providing free meals, care or housing to people in difficulty (Restos du cœur, Secours populaire…): a 75 % income-tax reduction of ${m(reduction)} up to ${m(aid.ceiling[year].value)} of gifts (above it, 66 %). ` +
      `${notModelled("reduction")}.`,
    sources: [aid.rate.source, aid.ceiling[year].source],
  });

  // Other donations: 66 % within 20 % of taxable income.
  const d = FR.donation;
  const limit = Math.floor(d.incomeShare.value * base.taxable_income);
  reducing({
    kind: "fr_donation",
    rate: d.rate.value,
    ceiling: limit,
    explain: (gift, reduction) =>
      `Give ${m(gift)} to charities of general interest: a 66 % income-tax reduction of ${m(reduction)}, within 20 % of taxable income (${m(limit)}; any excess carries over 5 years). ` +
      `${notModelled("reduction")}. A gift always costs more than it saves: net_cost is what it costs you.`,
    sources: [d.rate.source, d.incomeShare.source],
  });

  // Services à la personne: 50 % tax credit on spending within 12 000 € + 1 500 € per child, at most 15 000 €,
  // and no more than what cancels the whole tax (as for donations).
  const h = FR.homeServices;
  const cap = Math.min(h.max.value, h.base.value + h.perChild.value * (req.dependents ?? 0));
  reducing({
    kind: "fr_services_a_la_personne",
    rate: h.rate.value,
    ceiling: cap,
    explain: (spend, credit) =>
      `Spend ${m(spend)} on services à la personne (home help, childcare or tutoring at home, gardening) from an approved provider: a 50 % tax credit of ${m(credit)} within ${m(cap)} of spending this year. ` +
      `${notModelled("credit")}; the amount stops where the credit cancels your whole tax (the credit is refundable, so spending more is paid back at 50 %, not counted in tax_saving).`,
    sources: [h.rate.source, h.base.source, h.perChild.source, h.max.source],
  });
  return out;
}

function unitedStates(req: TaxRequest, base: Baseline, cash: number | undefined, year: 2024 | 2025): Candidate[] {
  const out: Candidate[] = [];
  const m = (x: number) => money(x, base.currency);
  if (base.tax <= 0) return out;
  const salaries = req.income.salaries;
  const earners = salaries?.length
    ? salaries
    : req.filing_status === "married_joint"
      ? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
      : [Number.MAX_SAFE_INTEGER];

  /** Pre-tax contributions lower wages (with salaries) or taxable income (when given directly). */
  const lower = (perEarner: number[]): TaxRequest => {
    const sum = perEarner.reduce((a, b) => a + b, 0);
    return salaries?.length
      ? { ...req, income: { salaries: salaries.map((s, i) => s - (perEarner[i] ?? 0)) } }
      : { ...req, income: { taxable_income: Math.max(0, base.taxable_income - sum) } };
  };

  const retirement = (kind: string, { value: limit, source }: Cited<number>, what: string, note: string) => {
    const per = spread(
      whole(
        Math.min(
          budget(cash),
          earners.reduce((a, e) => a + Math.min(limit, e), 0),
        ),
      ),
      earners.map((e) => Math.min(limit, whole(e))),
    );
    const amount = per.reduce((a, b) => a + b, 0);
    if (amount > 0)
      out.push({
        kind,
        amount,
        input: lower(per),
        explanation: `Contribute ${m(amount)} to ${what} (limit ${m(limit)} per person for ${year}${per.length > 1 ? `; split ${per.map(m).join(" + ")}` : ""}). ${note} tax_after is the income-tax engine's answer with the contribution taken off ${salaries?.length ? "wages" : "taxable income"}.`,
        sources: [source],
      });
  };
  retirement(
    "us_401k_contribution",
    US.k401[year],
    "a traditional 401(k) through payroll (pre-tax elective deferrals)",
    "Deferrals reduce taxable wages; only if your employer offers a plan.",
  );
  retirement(
    "us_traditional_ira_contribution",
    US.ira[year],
    "a traditional IRA",
    "Deductible in full unless you (or your spouse) are covered by a workplace plan and your income is in the phase-out range.",
  );

  // Itemised charitable gifts: only worth it when they exceed the standard deduction.
  const std =
    salaries?.length && base.gross_income > base.taxable_income
      ? base.gross_income - base.taxable_income
      : ((US.standardDeduction[year].value as Record<string, number>)[req.filing_status] ?? 0);
  const agi = salaries?.length ? base.gross_income : base.taxable_income + std;
  if (cash !== undefined) {
    const gift = whole(Math.min(cash, Math.floor(US.charity.agiShare.value * agi)));
    if (gift > std)
      out.push({
        kind: "us_itemized_charitable_gifts",
        amount: gift,
        input: { ...req, income: { taxable_income: Math.max(0, agi - gift) } },
        explanation:
          `Give ${m(gift)} in cash to public charities and itemise: it exceeds your ${m(std)} standard deduction, so taxable income becomes ${m(Math.max(0, agi - gift))} (other itemised deductions such as state taxes or mortgage interest would add to it). ` +
          `Cash gifts are deductible up to 60 % of AGI. tax_after is the income-tax engine's answer for that taxable income.`,
        sources: [US.charity.agiShare.source, US.standardDeduction[year].source],
      });
  }
  return out;
}
