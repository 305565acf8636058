import { describe, expect, it } from "vitest";
import { parseAmount } from "./amounts";

describe("parseAmount", () => {
  it("reads decimal commas and points, thousands separators of every kind, exactly", () => {
    const cases: [string, "." | "," | undefined, number][] = [
      ["-89,90", ",", -8990],
      ["89,90", ",", 8990],
      ["1.234,56", ",", 123456],
      ["1 234,56", ",", 123456],
      ["1\u00a0234,56", ",", 123456],
      ["1\u202f234,56 €", ",", 123456],
      ["$1,234.56", ".", 123456],
      ["-$1,234.56", ".", -123456],
      ["($1,234.56)", ".", -123456],
      ["1'234.50", undefined, 123450],
      ["CHF 1'234.50", undefined, 123450],
      ["1.234", ",", 123400],
      ["1,234", ".", 123400],
      ["12.50", ",", 1250],
      ["12,5", ",", 1250],
      ["89,90-", ",", -8990],
      ["+12", undefined, 1200],
      ["0,05", ",", 5],
      [",50", ",", 50],
      ["12.500", ".", 1250],
      ["EUR -12,00", ",", -1200],
      ["£1,000,000.00", ".", 100000000],
    ];
    for (const [text, mark, want] of cases) expect([text, parseAmount(text, "EUR", mark)]).toEqual([text, want]);
  });

  it("uses the currency's exponent: JPY has none, KWD three", () => {
    expect(parseAmount("1,200", "JPY", ".")).toBe(1200);
    expect(parseAmount("¥1,200", "JPY")).toBe(1200);
    expect(parseAmount("1200.00", "JPY", ".")).toBe(1200);
    expect(parseAmount("12.5", "JPY", ".")).toBeNull();
    expect(parseAmount("1.234", "KWD", ".")).toBe(1234);
    expect(parseAmount("1,234", "KWD")).toBe(1234);
    expect(parseAmount("1.234,567", "KWD", ",")).toBe(1234567);
  });

  it("refuses what is not an amount", () => {
    for (const text of ["12,34,56", "1.005", "abc", "", "-", "1,2,3", "12..5", "1.23.45", "1 2345,00x", "12,3456,78", "99999999999999"])
      expect([text, parseAmount(text, "EUR", text === "12,34,56" ? "," : ".")]).toEqual([text, null]);
    // Never floats: the largest amount stays exact.
    expect(parseAmount("100000000000.00", "EUR", ".")).toBe(10_000_000_000_000);
    expect(parseAmount("100000000000.01", "EUR", ".")).toBeNull();
  });
});
