/**
 * Ceilings of the tax levers the optimiser searches, as dated data with their legal source (the tax
 * engine's style: parameters are data, not constants in code). Amounts in minor units (cents).
 * Only what the income-tax engine does not already hold is here; the optimiser asks the engine
 * (through the TAX binding) for every tax figure.
 */
export interface Cited<T> {
  value: T;
  source: string;
}

type Year = 2024 | 2025;

export const FR = {
  /** Plan d'épargne retraite (PER) individual contributions, deductible from the revenu global. */
  per: {
    rate: { value: 0.1, source: "CGI art. 163 quatervicies I-2-a: 10 % des revenus d'activité professionnelle nets de frais de l'année précédente" },
    /** 10 % of the previous year's PASS (plafond annuel de la sécurité sociale): the floor every household member gets. */
    floor: {
      2024: { value: 439_900, source: "10 % du PASS 2023 (43 992 €, arrêté du 8 décembre 2022) = 4 399 € — service-public.fr F34982" },
      2025: { value: 463_700, source: "10 % du PASS 2024 (46 368 €, arrêté du 19 décembre 2023) = 4 637 € — service-public.fr F34982" },
    } satisfies Record<Year, Cited<number>>,
    /** 10 % of 8 × the previous year's PASS. */
    cap: {
      2024: { value: 3_519_400, source: "10 % × 8 × PASS 2023 = 35 194 € (CGI art. 163 quatervicies) — service-public.fr F34982" },
      2025: { value: 3_709_400, source: "10 % × 8 × PASS 2024 = 37 094 € (CGI art. 163 quatervicies) — service-public.fr F34982" },
    } satisfies Record<Year, Cited<number>>,
  },
  /** Gifts to charities of general interest: 66 % reduction within 20 % of taxable income. */
  donation: {
    rate: { value: 0.66, source: "CGI art. 200-1: réduction d'impôt de 66 % des dons" },
    incomeShare: { value: 0.2, source: "CGI art. 200-1: dans la limite de 20 % du revenu imposable" },
  },
  /** Gifts to bodies giving free meals, care or housing to people in difficulty (« amendement Coluche »). */
  donationAid: {
    rate: { value: 0.75, source: "CGI art. 200-1 ter: réduction de 75 %" },
    ceiling: {
      2024: { value: 100_000, source: "1 000 € (loi n° 2020-1721 art. 187 ; loi n° 2023-1322 art. 9 for 2024) — service-public.fr F426" },
      2025: { value: 100_000, source: "1 000 €, made permanent by loi n° 2025-127 du 14 février 2025 (LF 2025) — service-public.fr F426" },
    } satisfies Record<Year, Cited<number>>,
  },
  /** Services à la personne (home help, childcare at home, …): 50 % tax credit. */
  homeServices: {
    rate: { value: 0.5, source: "CGI art. 199 sexdecies: crédit d'impôt de 50 % des dépenses" },
    base: { value: 1_200_000, source: "CGI art. 199 sexdecies 3: 12 000 € de dépenses par an" },
    perChild: { value: 150_000, source: "CGI art. 199 sexdecies 3: + 1 500 € par enfant à charge (et par membre du foyer de plus de 65 ans)" },
    max: { value: 1_500_000, source: "CGI art. 199 sexdecies 3: sans pouvoir excéder 15 000 €" },
  },
};

export const US = {
  /** Elective deferrals to a 401(k) plan (under age 50). */
  k401: {
    2024: { value: 2_300_000, source: "IRC §402(g); IRS Notice 2023-75: $23,000 for 2024" },
    2025: { value: 2_350_000, source: "IRC §402(g); IRS Notice 2024-80: $23,500 for 2025" },
  } satisfies Record<Year, Cited<number>>,
  /** Traditional IRA contributions (under age 50), per person with at least as much compensation. */
  ira: {
    2024: { value: 700_000, source: "IRC §219(b)(5); IRS Notice 2023-75: $7,000 for 2024" },
    2025: { value: 700_000, source: "IRC §219(b)(5); IRS Notice 2024-80: $7,000 for 2025" },
  } satisfies Record<Year, Cited<number>>,
  /** Cash gifts to public charities, deductible when itemising, within 60 % of AGI. */
  charity: {
    agiShare: { value: 0.6, source: "IRC §170(b)(1)(G): cash contributions to public charities up to 60 % of AGI" },
  },
  /** Standard deduction (used only when the engine was given taxable income, not salaries). */
  standardDeduction: {
    2024: {
      value: { single: 1_460_000, married_joint: 2_920_000, married_separate: 1_460_000, head_of_household: 2_190_000 },
      source: "Rev. Proc. 2023-34 §3.15",
    },
    2025: {
      value: { single: 1_575_000, married_joint: 3_150_000, married_separate: 1_575_000, head_of_household: 2_362_500 },
      source: "IRC §63(c)(7) as amended by the One Big Beautiful Bill Act (Pub. L. 119-21) §70102",
    },
  } satisfies Record<Year, Cited<Record<string, number>>>,
};

export const isLeverYear = (y: number): y is Year => y === 2024 || y === 2025;
