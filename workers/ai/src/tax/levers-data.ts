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
    rate: {
      value: 0.1,
      source:
        "CGI art. 163 quatervicies I-2-a: 10 % des revenus d'activité professionnelle nets de frais de l'année précédente — https://www.service-public.fr/particuliers/vosdroits/F14709",
    },
    /** 10 % of the previous year's PASS (plafond annuel de la sécurité sociale): the floor every household member gets. */
    floor: {
      2024: {
        value: 439_900,
        source:
          "10 % du PASS 2023 (43 992 €, arrêté du 9 décembre 2022) = 4 399 € — https://www.service-public.fr/particuliers/vosdroits/F14709",
      },
      2025: {
        value: 463_700,
        source:
          "10 % du PASS 2024 (46 368 €, arrêté du 19 décembre 2023) = 4 637 € — https://www.labanquepostale.fr/particulier/solutions-patrimoniales/list-actus/2025/fiscalite-per.html",
      },
    } satisfies Record<Year, Cited<number>>,
    /** 10 % of 8 × the previous year's PASS. */
    cap: {
      2024: {
        value: 3_519_400,
        source: "10 % × 8 × PASS 2023 = 35 194 € (CGI art. 163 quatervicies) — https://www.service-public.fr/particuliers/vosdroits/F14709",
      },
      2025: {
        value: 3_709_400,
        source:
          "10 % × 8 × PASS 2024 = 37 094 € (CGI art. 163 quatervicies) — https://www.labanquepostale.fr/particulier/solutions-patrimoniales/list-actus/2025/fiscalite-per.html",
      },
    } satisfies Record<Year, Cited<number>>,
  },
  /** Gifts to charities of general interest: 66 % reduction within 20 % of taxable income. */
  donation: {
    rate: {
      value: 0.66,
      source:
        "CGI art. 200-1: réduction d'impôt de 66 % des dons — https://www.legifiscal.fr/infos-conseils/la-reduction-dimpot-pour-les-dons-realises-par-les-particuliers.html",
    },
    incomeShare: {
      value: 0.2,
      source:
        "CGI art. 200-1: dans la limite de 20 % du revenu imposable — https://www.legifiscal.fr/infos-conseils/la-reduction-dimpot-pour-les-dons-realises-par-les-particuliers.html",
    },
  },
  /** Gifts to bodies giving free meals, care or housing to people in difficulty (« amendement Coluche »). */
  donationAid: {
    rate: {
      value: 0.75,
      source: "CGI art. 200, 1 ter: réduction de 75 % — https://www.service-public.gouv.fr/particuliers/actualites/A18836",
    },
    ceiling: {
      2024: {
        value: 100_000,
        source:
          "1 000 € (CGI art. 200, 1 ter; limit extended to 2024 by the LF 2024, loi n° 2023-1322) — https://www.service-public.gouv.fr/particuliers/actualites/A18836",
      },
      // 2025: the year's higher limit (2 000 € for gifts from 14 October 2025; 1 000 € before).
      2025: {
        value: 200_000,
        source:
          "2 000 € for gifts from 14 October 2025, 1 000 € before (CGI art. 200, 1 ter; LF 2026, JO du 20 février 2026; loi n° 2025-127 art. 6) — https://www.service-public.gouv.fr/particuliers/actualites/A18836",
      },
    } satisfies Record<Year, Cited<number>>,
  },
  /** Services à la personne (home help, childcare at home, …): 50 % tax credit. */
  homeServices: {
    rate: {
      value: 0.5,
      source:
        "CGI art. 199 sexdecies: crédit d'impôt de 50 % des dépenses — https://alexia.fr/fiche/10896/le-credit-d-impot-lie-a-l-emploi-d-un-salarie-a-domicile.htm",
    },
    base: {
      value: 1_200_000,
      source:
        "CGI art. 199 sexdecies 3: 12 000 € de dépenses par an — https://alexia.fr/fiche/10896/le-credit-d-impot-lie-a-l-emploi-d-un-salarie-a-domicile.htm",
    },
    perChild: {
      value: 150_000,
      source:
        "CGI art. 199 sexdecies 3: + 1 500 € par enfant à charge (et par membre du foyer de plus de 65 ans) — https://alexia.fr/fiche/10896/le-credit-d-impot-lie-a-l-emploi-d-un-salarie-a-domicile.htm",
    },
    max: {
      value: 1_500_000,
      source:
        "CGI art. 199 sexdecies 3: sans pouvoir excéder 15 000 € — https://alexia.fr/fiche/10896/le-credit-d-impot-lie-a-l-emploi-d-un-salarie-a-domicile.htm",
    },
  },
};

export const US = {
  /** Elective deferrals to a 401(k) plan (under age 50). */
  k401: {
    2024: {
      value: 2_300_000,
      source:
        "IRC §402(g); IRS Notice 2023-75: $23,000 for 2024 — https://www.irs.gov/Retirement-Plans/COLA-Increases-for-Dollar-Limitations-on-Benefits-and-Contributions",
    },
    2025: {
      value: 2_350_000,
      source:
        "IRC §402(g); IRS Notice 2024-80: $23,500 for 2025 — https://www.irs.gov/Retirement-Plans/COLA-Increases-for-Dollar-Limitations-on-Benefits-and-Contributions",
    },
  } satisfies Record<Year, Cited<number>>,
  /** Traditional IRA contributions (under age 50), per person with at least as much compensation. */
  ira: {
    2024: {
      value: 700_000,
      source:
        "IRC §219(b)(5); IRS Notice 2023-75: $7,000 for 2024 — https://www.irs.gov/Retirement-Plans/COLA-Increases-for-Dollar-Limitations-on-Benefits-and-Contributions",
    },
    2025: {
      value: 700_000,
      source:
        "IRC §219(b)(5); IRS Notice 2024-80: $7,000 for 2025 — https://www.irs.gov/Retirement-Plans/COLA-Increases-for-Dollar-Limitations-on-Benefits-and-Contributions",
    },
  } satisfies Record<Year, Cited<number>>,
  /** Cash gifts to public charities, deductible when itemising, within 60 % of AGI. */
  charity: {
    agiShare: {
      value: 0.6,
      source:
        "IRC §170(b)(1)(G) (Pub. L. 115-97 §11023, tax years 2018–2025): cash contributions to public charities up to 60 % of AGI — https://self-law.org/code/bill/115/hr/1/unknown/section-11023",
    },
  },
  /** Standard deduction (used only when the engine was given taxable income, not salaries). */
  standardDeduction: {
    2024: {
      value: { single: 1_460_000, married_joint: 2_920_000, married_separate: 1_460_000, head_of_household: 2_190_000 },
      source: "Rev. Proc. 2023-34 §3.15 — https://wicpa.org/news/articles/2200:irs-announces-tax-year-2024-adjustments-tax-brackets",
    },
    2025: {
      value: { single: 1_575_000, married_joint: 3_150_000, married_separate: 1_575_000, head_of_household: 2_362_500 },
      source:
        "IRC §63(c)(7) as amended by the One Big Beautiful Bill Act (Pub. L. 119-21) §70102 — https://www.irs.gov/newsroom/one-big-beautiful-bill-provisions",
    },
  } satisfies Record<Year, Cited<Record<string, number>>>,
};

export const isLeverYear = (y: number): y is Year => y === 2024 || y === 2025;
