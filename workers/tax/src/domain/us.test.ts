import { describe, expect, it } from "vitest";
import { c, incomeTax } from "./test-helpers";

// US federal income tax. Expected values use the IRS published Tax Rate Schedules, which state the tax
// as "$X plus Y % of the amount over $Z":
// 2024 — https://www.irs.gov/media/166986 (Rev. Proc. 2023-34);
// 2025 — Rev. Proc. 2024-40 schedules (reproduced e.g. at https://presenter.broadridgeadvisor.com/preview/255914/364646/1129/federal-tax-rates.htm).

const us = (year: number, status: string, taxable: number) => incomeTax("US", year, status, 0, { taxable_income: c(taxable) });

describe("US 2024 rate schedules", () => {
  it.each([
    // Schedule X: 5 426.00 + 22 % × (50 000 − 47 150) = 5 426 + 627 = 6 053.00
    ["single", 50_000, 6_053, 0.22],
    // Schedule X: 183 647.25 + 37 % × (700 000 − 609 350) = 183 647.25 + 33 540.50 = 217 187.75
    ["single", 700_000, 217_187.75, 0.37],
    // Schedule Y-1: 10 852.00 + 22 % × (100 000 − 94 300) = 10 852 + 1 254 = 12 106.00
    ["married_joint", 100_000, 12_106, 0.22],
    // Schedule Y-2: 55 678.50 + 35 % × (365 600 − 243 725) = 98 334.75 at the top of the 35 % bracket,
    // then + 37 % × (400 000 − 365 600) = 12 728 → 111 062.75
    ["married_separate", 400_000, 111_062.75, 0.37],
    // Schedule Z: 7 241.00 + 22 % × (75 000 − 63 100) = 7 241 + 2 618 = 9 859.00
    ["head_of_household", 75_000, 9_859, 0.22],
    // Schedule Z, first bracket: 10 % × 10 000 = 1 000.00
    ["head_of_household", 10_000, 1_000, 0.1],
  ])("%s, taxable %d $ → %d $", (status, taxable, tax, marginal) => {
    const v = us(2024, status, taxable);
    expect(v.tax).toBe(c(tax));
    expect(v.marginal_rate).toBe(marginal);
    expect(v.parts).toBeUndefined();
  });
});

describe("US 2025 rate schedules (rates made permanent by OBBBA)", () => {
  it.each([
    // Schedule X: 5 578.50 + 22 % × (100 000 − 48 475) = 5 578.50 + 11 335.50 = 16 914.00
    ["single", 100_000, 16_914],
    // Schedule Y-1: 35 302 + 24 % × (250 000 − 206 700) = 35 302 + 10 392 = 45 694.00
    ["married_joint", 250_000, 45_694],
    // Schedule Y-1 top: 202 154.50 + 37 % × (1 000 000 − 751 600) = 202 154.50 + 91 908 = 294 062.50
    ["married_joint", 1_000_000, 294_062.5],
    // Schedule Y-2: 101 077.25 + 37 % × (400 000 − 375 800) = 101 077.25 + 8 954 = 110 031.25
    ["married_separate", 400_000, 110_031.25],
    // Schedule Z: 15 912 + 24 % × (120 000 − 103 350) = 15 912 + 3 996 = 19 908.00
    ["head_of_household", 120_000, 19_908],
    // Schedule Z: 55 484 + 35 % × (300 000 − 250 500) = 55 484 + 17 325 = 72 809.00
    ["head_of_household", 300_000, 72_809],
  ])("%s, taxable %d $ → %d $", (status, taxable, tax) => {
    expect(us(2025, status, taxable).tax).toBe(c(tax));
  });
});

describe("US wages and the standard deduction", () => {
  it("2025 single, wages 75 750 $: OBBBA standard deduction 15 750 $ → taxable 60 000 $ → 8 114 $", () => {
    // 5 578.50 + 22 % × (60 000 − 48 475) = 5 578.50 + 2 535.50 = 8 114.00; effective 8 114 / 75 750.
    const v = incomeTax("US", 2025, "single", 0, { salaries: [c(75_750)] });
    expect(v.taxable_income).toBe(c(60_000));
    expect(v.tax).toBe(c(8_114));
    expect(v.effective_rate).toBeCloseTo(8_114 / 75_750, 6);
  });

  it("2024 married filing jointly, wages 60 000 + 40 000 $: deduction 29 200 $ → 8 032 $", () => {
    // taxable 70 800: 2 320 + 12 % × (70 800 − 23 200) = 2 320 + 5 712 = 8 032.00
    const v = incomeTax("US", 2024, "married_joint", 0, { salaries: [c(60_000), c(40_000)] });
    expect(v.taxable_income).toBe(c(70_800));
    expect(v.tax).toBe(c(8_032));
  });

  it("2025 standard deductions per OBBBA: 15 750 / 31 500 / 15 750 / 23 625 $", () => {
    const taxableAt = (status: string) => incomeTax("US", 2025, status, 0, { salaries: [c(100_000)] }).taxable_income;
    expect(taxableAt("single")).toBe(c(84_250));
    expect(taxableAt("married_joint")).toBe(c(68_500));
    expect(taxableAt("married_separate")).toBe(c(84_250));
    expect(taxableAt("head_of_household")).toBe(c(76_375));
  });

  it("wages below the deduction give 0, and dependents change nothing (no credits modelled)", () => {
    expect(incomeTax("US", 2025, "head_of_household", 2, { salaries: [c(23_625)] }).tax).toBe(0);
    const a = incomeTax("US", 2024, "married_joint", 0, { salaries: [c(90_000)] });
    const b = incomeTax("US", 2024, "married_joint", 3, { salaries: [c(90_000)] });
    expect(b.tax).toBe(a.tax);
  });
});
