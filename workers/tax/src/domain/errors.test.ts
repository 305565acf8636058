import { describe, expect, it } from "vitest";
import { computeIncomeTax, listJurisdictions } from "./index";

const base = { jurisdiction: "FR", income_year: 2024, filing_status: "single", dependents: 0, income: { taxable_income: 100 } };
const paths = (input: unknown): string[] => {
  const r = computeIncomeTax(input);
  return r.ok ? [] : r.errors.map((e) => e.path);
};

describe("listJurisdictions", () => {
  it("lists FR and US with their income years", () => {
    expect(listJurisdictions()).toEqual([
      { code: "FR", name: "France", currency: "EUR", income_years: [2024, 2025] },
      { code: "US", name: "United States (federal)", currency: "USD", income_years: [2024, 2025] },
    ]);
  });
});

describe("computeIncomeTax input errors name the field", () => {
  it("accepts the base input", () => expect(paths(base)).toEqual([]));
  it("unknown jurisdiction", () => expect(paths({ ...base, jurisdiction: "DE" })).toEqual(["jurisdiction"]));
  it("unknown or non-numeric year", () => {
    expect(paths({ ...base, income_year: 2023 })).toEqual(["income_year"]);
    expect(paths({ ...base, jurisdiction: "US", filing_status: "single", income_year: 2026 })).toEqual(["income_year"]);
    expect(paths({ ...base, income_year: "2024" })).toEqual(["income_year"]);
  });
  it("filing status of the other jurisdiction", () => {
    expect(paths({ ...base, filing_status: "married_joint" })).toEqual(["filing_status"]);
    expect(paths({ ...base, jurisdiction: "US", filing_status: "pacs" })).toEqual(["filing_status"]);
  });
  it("dependents must be an integer 0..20 (missing means 0)", () => {
    expect(paths({ ...base, dependents: -1 })).toEqual(["dependents"]);
    expect(paths({ ...base, dependents: 1.5 })).toEqual(["dependents"]);
    expect(paths({ ...base, dependents: 21 })).toEqual(["dependents"]);
    const { dependents: _omitted, ...noDependents } = base;
    expect(paths(noDependents)).toEqual([]);
  });
  it("negative, fractional, non-numeric or too large amounts", () => {
    expect(paths({ ...base, income: { taxable_income: -1 } })).toEqual(["income.taxable_income"]);
    expect(paths({ ...base, income: { taxable_income: 0.5 } })).toEqual(["income.taxable_income"]);
    expect(paths({ ...base, income: { taxable_income: 10 ** 13 + 1 } })).toEqual(["income.taxable_income"]);
    expect(paths({ ...base, income: { taxable_income: 10 ** 13 } })).toEqual([]);
    expect(paths({ ...base, dependents: 1, income: { salaries: [100, -5] } })).toEqual(["income.salaries.1"]);
    expect(paths({ ...base, income: { salaries: ["100"] } })).toEqual(["income.salaries.0"]);
  });
  it("income must be exactly one form, with one salary per person at most", () => {
    expect(paths({ ...base, income: {} })).toEqual(["income"]);
    expect(paths({ ...base, income: { salaries: [1], taxable_income: 1 } })).toEqual(["income"]);
    expect(paths({ ...base, income: { salaries: 5 } })).toEqual(["income.salaries"]);
    expect(paths({ ...base, income: { salaries: [1, 2] } })).toEqual(["income.salaries"]);
    expect(paths({ ...base, dependents: 1, income: { salaries: [1, 2] } })).toEqual([]);
  });
  it("reports several errors at once", () => {
    expect(paths({ ...base, income_year: 1999, filing_status: "x", dependents: -2 })).toEqual([
      "income_year",
      "filing_status",
      "dependents",
    ]);
    expect(paths("nope")).toEqual([""]);
  });
});
