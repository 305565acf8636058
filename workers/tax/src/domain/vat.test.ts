import { describe, expect, it } from "vitest";
import { computeVat, vatRates } from "./index";
import { EU_MEMBERS } from "./params/vat";
import type { VatResult } from "./types";

const vat = (country: string, rate: string, amount: number, amount_includes_vat: boolean, date = "2025-06-01"): VatResult => {
  const r = computeVat({ country, rate, amount, amount_includes_vat, date });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};

describe("VAT — FR, DE, GB classes (hand-computed)", () => {
  it("FR 20 / 10 / 5.5 / 2.1 %", () => {
    // 100,00 € HT × 20 % = 20,00 → 120,00 TTC
    expect(vat("FR", "standard", 10_000, false)).toEqual({ net: 10_000, vat: 2_000, gross: 12_000, rate_bps: 2000 });
    // 55,00 € TTC at 10 %: 55 / 1,10 = 50,00 HT, TVA 5,00
    expect(vat("FR", "intermediate", 5_500, true)).toEqual({ net: 5_000, vat: 500, gross: 5_500, rate_bps: 1000 });
    // 10,55 € TTC at 5,5 %: 10,55 / 1,055 = 10,00 HT
    expect(vat("FR", "reduced", 1_055, true)).toEqual({ net: 1_000, vat: 55, gross: 1_055, rate_bps: 550 });
    // 9,99 € HT at 2,1 %: 0,20979 → 0,21 → 10,20 TTC
    expect(vat("FR", "super_reduced", 999, false)).toEqual({ net: 999, vat: 21, gross: 1_020, rate_bps: 210 });
  });

  it("DE 19 / 7 %: 1,00 € gross at 19 % → 0,84 net (100 / 1,19 = 84,03 ct)", () => {
    expect(vat("DE", "standard", 100, true)).toEqual({ net: 84, vat: 16, gross: 100, rate_bps: 1900 });
    // 2,14 € gross at 7 % = 2,00 net
    expect(vat("DE", "reduced", 214, true)).toEqual({ net: 200, vat: 14, gross: 214, rate_bps: 700 });
  });

  it("GB 20 / 5 / 0 %, half-up rounding: 0,50 £ at 5 % = 2,5 p → 3 p", () => {
    expect(vat("GB", "standard", 999, false).vat).toBe(200); // 199,8 p → 200 p
    expect(vat("GB", "reduced", 50, false)).toEqual({ net: 50, vat: 3, gross: 53, rate_bps: 500 });
    expect(vat("GB", "zero", 12_345, true)).toEqual({ net: 12_345, vat: 0, gross: 12_345, rate_bps: 0 });
  });

  it("handles the largest amount exactly (10^13 minor units at 25.5 %)", () => {
    expect(vat("FI", "standard", 10 ** 13, false)).toEqual({
      net: 10 ** 13,
      vat: 2_550_000_000_000,
      gross: 12_550_000_000_000,
      rate_bps: 2550,
    });
  });
});

describe("VAT — rates by date", () => {
  const bpsOn = (country: string, date: string, rate = "standard") => vat(country, rate, 10_000, false, date).rate_bps;
  it.each([
    // Finland 24 % → 25.5 % on 2024-09-01 (vero.fi)
    ["FI", "2024-08-31", 2400],
    ["FI", "2024-09-01", 2550],
    // Estonia 22 % → 24 % on 2025-07-01
    ["EE", "2025-06-30", 2200],
    ["EE", "2025-07-01", 2400],
    // Slovakia 20 % → 23 % on 2025-01-01
    ["SK", "2024-12-31", 2000],
    ["SK", "2025-01-01", 2300],
    // Romania 19 % → 21 % on 2025-08-01
    ["RO", "2025-07-31", 1900],
    ["RO", "2025-08-01", 2100],
    // Germany's temporary 16 % (2020-07-01 to 2020-12-31)
    ["DE", "2020-06-30", 1900],
    ["DE", "2020-07-01", 1600],
    ["DE", "2021-01-01", 1900],
    // Luxembourg's temporary 16 % in 2023
    ["LU", "2023-06-01", 1600],
    ["LU", "2024-01-01", 1700],
  ])("%s on %s: %d bps", (country, date, expected) => {
    expect(bpsOn(country, date)).toBe(expected);
  });

  it("every EU member state has a standard rate today, within the 15 % EU minimum", () => {
    for (const cc of EU_MEMBERS) {
      const b = bpsOn(cc, "2025-09-01");
      expect(b).toBeGreaterThanOrEqual(1500);
      expect(b).toBeLessThanOrEqual(2700);
    }
  });

  it("vatRates() lists periods, and filters by date", () => {
    const fi = vatRates().filter((r) => r.country === "FI");
    expect(fi).toEqual([
      expect.objectContaining({ rate_bps: 2400, from: "2013-01-01", to: "2024-08-31" }),
      expect.objectContaining({ rate_bps: 2550, from: "2024-09-01", to: null }),
    ]);
    const today = vatRates("2025-09-01");
    expect(today.filter((r) => r.rate === "standard")).toHaveLength(28); // 27 EU member states + GB
    expect(today.every((r) => r.source.length > 0)).toBe(true);
  });
});

describe("VAT — errors", () => {
  const errs = (input: unknown) => {
    const r = computeVat(input);
    return r.ok ? [] : r.errors;
  };
  it("unknown country or class, or a class that does not exist there on that date", () => {
    expect(errs({ country: "XX", rate: "standard", amount: 100, amount_includes_vat: false, date: "2025-01-01" })[0]?.path).toBe("country");
    expect(errs({ country: "FR", rate: "luxury", amount: 100, amount_includes_vat: false, date: "2025-01-01" })[0]?.path).toBe("rate");
    expect(errs({ country: "GB", rate: "super_reduced", amount: 100, amount_includes_vat: false, date: "2025-01-01" })).toEqual([
      { path: "rate", message: "GB has no super_reduced VAT rate on 2025-01-01" },
    ]);
    expect(errs({ country: "DE", rate: "intermediate", amount: 100, amount_includes_vat: false, date: "2025-01-01" })[0]?.path).toBe(
      "rate",
    );
    expect(errs({ country: "DE", rate: "zero", amount: 100, amount_includes_vat: false, date: "2022-12-31" })[0]?.path).toBe("rate");
    expect(errs({ country: "FR", rate: "standard", amount: 100, amount_includes_vat: false, date: "2013-12-31" })[0]?.path).toBe("rate");
  });

  it("bad amounts, flags and dates", () => {
    const base = { country: "FR", rate: "standard", amount: 100, amount_includes_vat: false, date: "2025-01-01" };
    expect(errs({ ...base, amount: -1 })[0]?.path).toBe("amount");
    expect(errs({ ...base, amount: 1.5 })[0]?.path).toBe("amount");
    expect(errs({ ...base, amount: 10 ** 13 + 1 })[0]?.path).toBe("amount");
    expect(errs({ ...base, amount: "100" })[0]?.path).toBe("amount");
    expect(errs({ ...base, amount_includes_vat: "yes" })[0]?.path).toBe("amount_includes_vat");
    expect(errs({ ...base, date: "2025-02-30" })[0]?.path).toBe("date");
    expect(errs(null)[0]?.path).toBe("");
  });

  it("date defaults to today and country codes are case-insensitive", () => {
    const r = computeVat({ country: "fr", rate: "standard", amount: 100, amount_includes_vat: false });
    expect(r.ok && r.value.rate_bps).toBe(2000);
  });
});
