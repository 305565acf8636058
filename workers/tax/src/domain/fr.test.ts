import { describe, expect, it } from "vitest";
import { c, incomeTax } from "./test-helpers";
import { frParts } from "./fr";

// Worked examples for the French impôt sur le revenu. Amounts in comments are euros; the engine works in cents.
// Published examples give the scale arithmetic; décote, ceiling and rounding steps are hand-computed below them.

const fr = (year: number, status: string, dependents: number, taxable: number) =>
  incomeTax("FR", year, status, dependents, { taxable_income: c(taxable) });

describe("FR revenus 2024 — service-public.fr examples", () => {
  it("single, 30 000 € net imposable: 2 165,48 € → 2 165 €", () => {
    // service-public.fr F1419 « Quel est le barème de l'impôt sur le revenu ? » (mirror https://hagenbach.illicoweb.com/service-public/fiche/F1419):
    // (29 315 − 11 497) × 11 % = 1 959,98 ; (30 000 − 29 315) × 30 % = 205,50 ; total 2 165,48 €.
    // Also senioractu.com "Impôt sur le revenu 2025 : quel montant ne fallait-il pas dépasser en 2024".
    // Hand: 2 165,48 > 889 / 0,4525 = 1 964,6 so no décote; rounded to 2 165 €.
    const v = fr(2024, "single", 0, 30_000);
    expect(v.parts).toBe(1);
    expect(v.tax_before_credits).toBe(c(2_165.48));
    expect(v.decote).toBe(0);
    expect(v.tax).toBe(c(2_165));
    expect(v.marginal_rate).toBe(0.3);
  });

  it("married couple, 63 000 €: impôt brut 5 230,96 € → 5 231 €", () => {
    // service-public.fr F2705 « Quotient familial d'un couple marié ou pacsé », exemple 1
    // (mirror https://villesaintfrancois.fr/...?xml=F2705): 2 parts, QF 31 500 €, 2 615,48 € × 2 = 5 230,96 €, arrondi à 5 231 €.
    // Hand: 5 230,96 > 1 470 / 0,4525 = 3 248,6 so no décote.
    const v = fr(2024, "married", 0, 63_000);
    expect(v.tax_before_credits).toBe(c(5_230.96));
    expect(v.tax).toBe(c(5_231));
  });

  it("pacsed couple, 80 000 €: impôt brut 10 330,96 € → 10 331 €", () => {
    // service-public.fr F2705, exemple 2: QF 40 000 €, 5 165,48 € × 2 = 10 330,96 €, arrondi à 10 331 € (PACS = same rules).
    const v = fr(2024, "pacs", 0, 80_000);
    expect(v.tax_before_credits).toBe(c(10_330.96));
    expect(v.tax).toBe(c(10_331));
  });

  it.each([
    // service-public.fr F1419 worked lines for one part (impôt brut), then hand décote and rounding:
    // 45 000: 1 959,98 + (45 000 − 29 315) × 30 % = 4 705,50 → 6 665,48 → no décote → 6 665.
    [45_000, 6_665.48, 0, 6_665],
    // 36 000: 1 959,98 + 6 685 × 30 % = 2 005,50 → 3 965,48 → 3 965.
    [36_000, 3_965.48, 0, 3_965],
    // 24 000: (24 000 − 11 497) × 11 % = 1 375,33; décote 889 − 0,4525 × 1 375,33 = 266,66 → 1 108,67 → 1 109.
    [24_000, 1_375.33, 266.66, 1_109],
    // 20 000: 8 503 × 11 % = 935,33; décote 889 − 423,24 = 465,76 → 469,57 → 470.
    [20_000, 935.33, 465.76, 470],
    // 15 000: 3 503 × 11 % = 385,33; décote 889 − 174,36 = 714,64 capped at the tax → 0.
    [15_000, 385.33, 385.33, 0],
  ])("single, %d €: brut %d €, décote %d €, tax %d €", (income, brut, decote, tax) => {
    const v = fr(2024, "single", 0, income);
    expect(v.tax_before_credits).toBe(c(brut));
    expect(Math.abs(v.decote! - c(decote))).toBeLessThanOrEqual(1);
    expect(v.tax).toBe(c(tax));
  });
});

describe("FR revenus 2024 — family quotient, ceiling, décote, threshold (hand-checked)", () => {
  it("couple with 2 children, 60 000 €: 3 parts, décote couple → 2 606 €", () => {
    // 3 parts, QF 20 000: 935,33 × 3 = 2 805,99. Ceiling check: 2 parts QF 30 000: 2 165,48 × 2 = 4 330,96,
    // minus 2 half-parts × 1 791 = 748,96 < 2 805,99 → not capped.
    // Décote couple: 1 470 − 0,4525 × 2 805,99 = 200,29 → 2 605,70 → 2 606 €.
    const v = fr(2024, "married", 2, 60_000);
    expect(v.parts).toBe(3);
    expect(v.tax_before_credits).toBe(c(2_805.99));
    expect(v.decote).toBe(c(200.29));
    expect(v.tax).toBe(c(2_606));
  });

  it("couple with 2 children, 200 000 €: the quotient ceiling binds → 46 308 €", () => {
    // 3 parts: QF 66 666,67: 1 959,98 + (66 666,67 − 29 315) × 30 % = 13 165,48 × 3 = 39 496,44.
    // 2 parts: QF 100 000: 1 959,98 + 16 352,40 + (100 000 − 83 823) × 41 % = 24 944,95 × 2 = 49 889,90;
    // minus 2 × 1 791 = 46 307,90 > 39 496,44 → capped; rounded 46 308 €; marginal 41 %.
    const v = fr(2024, "married", 2, 200_000);
    expect(v.tax_before_credits).toBe(c(46_307.9));
    expect(v.tax).toBe(c(46_308));
    expect(v.marginal_rate).toBe(0.41);
  });

  it("couple with 3 children, 100 000 €: 4 parts (third child = 1 part), capped → 9 167 €", () => {
    // 4 parts: QF 25 000: 1 485,33 × 4 = 5 941,32. 2 parts: 8 165,48 × 2 = 16 330,96 − 4 × 1 791 = 9 166,96 → capped → 9 167 €.
    const v = fr(2024, "married", 3, 100_000);
    expect(v.parts).toBe(4);
    expect(v.tax).toBe(c(9_167));
  });

  it("under the 61 € collection threshold: single, 17 300 € → 0", () => {
    // 5 803 × 11 % = 638,33; décote 889 − 288,84 = 600,16 → 38,17 → 38 € < 61 € → not collected.
    const v = fr(2024, "single", 0, 17_300);
    expect(v.tax_before_credits).toBe(c(638.33));
    expect(v.tax).toBe(0);
  });

  it("single parent, 1 child, 30 000 €: 1.5 parts → 1 149 €", () => {
    // QF 20 000: 935,33 × 1,5 = 1 403,00. 1 part: 2 165,48 − 1 791 = 374,48 < 1 403 → not capped.
    // Décote 889 − 0,4525 × 1 403 = 254,14 → 1 148,86 → 1 149 €.
    const v = fr(2024, "single", 1, 30_000);
    expect(v.parts).toBe(1.5);
    expect(v.tax).toBe(c(1_149));
  });

  it("widowed, 1 child, 30 000 €: 2.5 parts like a married couple (CGI art. 194 I) → 0", () => {
    // service-public.fr F35127: veuf avec 1 enfant à charge = 2,5 parts. QF 12 000: 55,33 × 2,5 = 138,33;
    // décote single 889 − 62,59 > 138,33 → wipes it out → 0.
    const v = fr(2024, "widowed", 1, 30_000);
    expect(v.parts).toBe(2.5);
    expect(v.tax).toBe(0);
  });

  it("widowed, 1 child, 100 000 €: ceiling then widow reduction of 1 993 € → 17 579 €", () => {
    // 2,5 parts: QF 40 000: 5 165,48 × 2,5 = 12 913,70. 1 part: 24 944,95 − 3 half-parts × 1 791 = 19 571,95 → capped.
    // CGI art. 197 I 2 last para.: reduction min(1 993, 19 571,95 − 12 913,70) = 1 993 → 17 578,95 → 17 579 €.
    const v = fr(2024, "widowed", 1, 100_000);
    expect(v.tax).toBe(c(17_579));
  });

  it("widowed, 1 child, 50 000 €: widow reduction limited to the increase caused by the ceiling → 2 338 €", () => {
    // 2,5 parts: 935,33 × 2,5 = 2 338,33. 1 part: 8 165,48 − 5 373 = 2 792,48 → capped (+454,15);
    // reduction min(1 993, 454,15) = 454,15 → back to 2 338,33 → 2 338 € (no décote: > 1 964,6).
    const v = fr(2024, "widowed", 1, 50_000);
    expect(v.tax).toBe(c(2_338));
  });

  it("widowed without dependants is taxed like a single person", () => {
    expect(fr(2024, "widowed", 0, 45_000).tax).toBe(fr(2024, "single", 0, 45_000).tax);
  });

  it("parts follow art. 194 I", () => {
    const parts = (s: "single" | "married" | "widowed", d: number) => frParts(s, d).halves / 2;
    expect([0, 1, 2, 3, 4, 5].map((d) => parts("married", d))).toEqual([2, 2.5, 3, 4, 5, 6]);
    expect([0, 1, 2, 3, 4].map((d) => parts("single", d))).toEqual([1, 1.5, 2, 3, 4]);
    expect([0, 1, 2, 3].map((d) => parts("widowed", d))).toEqual([1, 2.5, 3, 4]);
  });
});

describe("FR revenus 2024 — salaries and the 10 % deduction", () => {
  it("33 333 € salary: deduction 3 333,30 € → 29 999,70 € taxable → 2 165 €", () => {
    // 1 959,98 + (29 999,70 − 29 315) × 30 % = 205,41 → 2 165,39 → 2 165 €.
    const v = incomeTax("FR", 2024, "single", 0, { salaries: [c(33_333)] });
    expect(v.gross_income).toBe(c(33_333));
    expect(v.taxable_income).toBe(c(29_999.7));
    expect(v.tax).toBe(c(2_165));
  });

  it("floor 504 €: 4 000 € salary → 3 496 € taxable; ceiling 14 426 €: 200 000 € → 185 574 €", () => {
    expect(incomeTax("FR", 2024, "single", 0, { salaries: [c(4_000)] }).taxable_income).toBe(c(3_496));
    // 185 574: 1 959,98 + 16 352,40 + 39 553,11 + (185 574 − 180 294) × 45 % = 2 376 → 60 241,49 → 60 241 €.
    const v = incomeTax("FR", 2024, "single", 0, { salaries: [c(200_000)] });
    expect(v.taxable_income).toBe(c(185_574));
    expect(v.tax).toBe(c(60_241));
    expect(v.marginal_rate).toBe(0.45);
  });

  it("the floor never exceeds the salary (300 € salary → 0 taxable)", () => {
    expect(incomeTax("FR", 2024, "single", 0, { salaries: [c(300)] }).taxable_income).toBe(0);
  });

  it("applies per person for a couple", () => {
    // 40 000 − 4 000 + 3 000 − 504 = 38 496.
    expect(incomeTax("FR", 2024, "married", 0, { salaries: [c(40_000), c(3_000)] }).taxable_income).toBe(c(38_496));
  });
});

describe("FR revenus 2025 (loi de finances pour 2026)", () => {
  it("single, 30 000 € → 2 104 €", () => {
    // (29 579 − 11 600) × 11 % = 1 977,69 + (30 000 − 29 579) × 30 % = 126,30 → 2 103,99 → 2 104 €.
    expect(fr(2025, "single", 0, 30_000).tax).toBe(c(2_104));
  });

  it("single, 20 000 €, décote 897 € → 445 €", () => {
    // 8 400 × 11 % = 924; décote 897 − 418,11 = 478,89 → 445,11 → 445 €.
    const v = fr(2025, "single", 0, 20_000);
    expect(v.decote).toBe(c(478.89));
    expect(v.tax).toBe(c(445));
  });

  it("couple with 2 children, 200 000 €: ceiling 1 807 € → 45 987 €", () => {
    // 2 parts QF 100 000: 1 977,69 + 16 499,40 + (100 000 − 84 577) × 41 % = 24 800,52 × 2 = 49 601,04 − 2 × 1 807 = 45 987,04.
    // 3 parts: 13 103,99 × 3 = 39 311,97 < 45 987,04 → capped → 45 987 €.
    expect(fr(2025, "married", 2, 200_000).tax).toBe(c(45_987));
  });

  it("salary floor 509 € and ceiling 14 555 €", () => {
    expect(incomeTax("FR", 2025, "single", 0, { salaries: [c(4_000)] }).taxable_income).toBe(c(3_491));
    expect(incomeTax("FR", 2025, "single", 0, { salaries: [c(200_000)] }).taxable_income).toBe(c(185_445));
  });
});
