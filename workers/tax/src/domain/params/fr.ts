import { cents, type Dated, type ScaleBracket } from "./dated";

// France — impôt sur le revenu. One entry per income year ("revenus N", taxed in N+1).
// Adding a year means adding an entry here; the formulas in ../fr.ts never change for indexation.

export interface FrYearParams {
  /** Progressive scale per part (CGI art. 197 I 1). */
  readonly scale: Dated<readonly ScaleBracket[]>;
  /** Ceiling of the family-quotient advantage per extra half-part (CGI art. 197 I 2, 1st para.). */
  readonly qfCeilingPerHalfPart: Dated<number>;
  /** Extra reduction for widowed taxpayers with dependants when capped (CGI art. 197 I 2, last para.). */
  readonly widowReduction: Dated<number>;
  /** Décote (CGI art. 197 I 4 a): amount for single/divorced/widowed, for joint taxation, and rate. */
  readonly decoteSingle: Dated<number>;
  readonly decoteCouple: Dated<number>;
  readonly decoteRateBps: Dated<number>;
  /** 10 % professional-expense deduction on salaries, per person, with floor and ceiling (CGI art. 83 3°). */
  readonly proDeductionRateBps: Dated<number>;
  readonly proDeductionMin: Dated<number>;
  readonly proDeductionMax: Dated<number>;
  /** No collection when the tax is below this amount (CGI art. 1657 1 bis). */
  readonly collectionThreshold: Dated<number>;
  /** Rounding of the tax to the nearest euro, 0.50 counted as 1 (CGI art. 1657 1). Unit in cents. */
  readonly roundingUnit: Dated<number>;
}

const CGI_197_LF2025 =
  "CGI art. 197 as amended by loi n° 2025-127 du 14 février 2025 de finances pour 2025, art. 2 — https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000051212954";
const LF2026 =
  "Loi de finances pour 2026 (adoptée le 2 février 2026, JO du 20 février 2026), art. 2 indexing CGI art. 197 by 0.9 % — text: https://www.assemblee-nationale.fr/dyn/17/amendements/2247/AN/3370 ; summary: https://www.cogebs.com/vos-outils/actualites/article?id=k4_23991994";
const CGI_83 = "CGI art. 83 3° (code général des impôts: https://www.legifrance.gouv.fr/codes/id/LEGITEXT000006069577)";
const CGI_1657 =
  "CGI art. 1657 (1: rounding to the nearest euro; 1 bis: no collection under 61 €) — https://www.doctrine.fr/l/texts/codes/LEGITEXT000006069577/articles/LEGIARTI000006312650";

const scale = (t1: number, t2: number, t3: number, t4: number): readonly ScaleBracket[] => [
  { from: 0, rate_bps: 0 },
  { from: cents(t1), rate_bps: 1100 },
  { from: cents(t2), rate_bps: 3000 },
  { from: cents(t3), rate_bps: 4100 },
  { from: cents(t4), rate_bps: 4500 },
];

const year = (
  from: string,
  s: string,
  v: {
    scale: readonly ScaleBracket[];
    qf: number;
    widow: number;
    decote: [number, number];
    proMin: number;
    proMax: number;
    proSource: string;
  },
): FrYearParams => ({
  scale: { from, value: v.scale, source: s },
  qfCeilingPerHalfPart: { from, value: cents(v.qf), source: s },
  widowReduction: { from, value: cents(v.widow), source: s },
  decoteSingle: { from, value: cents(v.decote[0]), source: s },
  decoteCouple: { from, value: cents(v.decote[1]), source: s },
  decoteRateBps: { from: "2020-01-01", value: 4525, source: `${s} (rate 45.25 % since revenus 2020)` },
  proDeductionRateBps: { from: "1990-01-01", value: 1000, source: CGI_83 },
  proDeductionMin: { from, value: cents(v.proMin), source: v.proSource },
  proDeductionMax: { from, value: cents(v.proMax), source: v.proSource },
  collectionThreshold: { from: "2013-01-01", value: cents(61), source: CGI_1657 },
  roundingUnit: { from: "2002-01-01", value: 100, source: CGI_1657 },
});

export const FR_PARAMS: Readonly<Record<number, FrYearParams>> = {
  // Revenus 2024: scale +1.8 %. Figures cross-checked with service-public.fr F1419/F2705 examples,
  // fiscalonline.com (1 791 €) and quechoisir.org (504 € / 14 426 €).
  2024: year("2024-01-01", CGI_197_LF2025, {
    scale: scale(11_497, 29_315, 83_823, 180_294),
    qf: 1_791,
    widow: 1_993,
    decote: [889, 1_470],
    proMin: 504,
    proMax: 14_426,
    proSource: `${CGI_83}; limits for revenus 2024 (BOI-BAREME-000035): https://www.quechoisir.org/actualite-impots-2025-l-indexation-du-bareme-finalement-limitee-a-1-8-n149064/`,
  }),
  // Revenus 2025: scale +0.9 % (LF 2026).
  2025: year("2025-01-01", LF2026, {
    scale: scale(11_600, 29_579, 84_577, 181_917),
    qf: 1_807,
    widow: 2_011,
    decote: [897, 1_483],
    proMin: 509,
    proMax: 14_555,
    proSource: `${CGI_83}; limits indexed like the first bracket (11 600 / 11 497): https://www.legifiscal.fr/actualites-fiscales/4427-revenus-2025-deduction-forfaitaire-traitements-salaires.html`,
  }),
};

/** CGI art. 194 I: number of parts by family situation. */
export const FR_PARTS_SOURCE =
  "CGI art. 194 I (parts; a widowed taxpayer with dependants has the parts of a married couple) — https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000033817781 ; https://www.service-public.fr/particuliers/vosdroits/F35127";
