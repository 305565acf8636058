import { describe, expect, it } from "vitest";
import { AmbiguousDates } from "./csv";
import { MalformedFile } from "./rows";
import { read, summary } from "./test-support";

describe("QIF", () => {
  it("reads !Type:Bank records (D T U P M N ^) with Quicken's month-first apostrophe dates", async () => {
    const file =
      "!Type:Bank\nD1/2'24\nT-1,234.56\nPOAKWOOD\nMRent January\nN1001\nLHousing\n^\nD1/15'24\nU2,500.00\nT2,500.00\nPACME PAYROLL\n^\nD1/16'24\nT0.00\nPZERO\n^\n";
    const rows = await read("qif", file);
    expect(rows[0]).toEqual({
      line: 2,
      ok: true,
      row: { occurred_at: "2024-01-02", amount: -123456, description: "OAKWOOD", notes: "Rent January" },
    });
    expect(summary(rows).slice(1)).toEqual([
      [9, "2024-01-15", 250000, "ACME PAYROLL"],
      [14, 'T "0.00" is not a non-zero EUR amount'],
    ]);
  });

  it("reads !Type:CCard, skips !Account and list sections, takes the memo when there is no payee", async () => {
    const file = "!Account\nNVisa\nTCCard\n^\n!Type:Cat\nNGroceries\n^\n!Type:CCard\nD25/01/2024\nT-12,50\nMCB MONOPRIX\n^\n";
    expect(summary(await read("qif", file))).toEqual([[9, "2024-01-25", -1250, "CB MONOPRIX"]]);
  });

  it("asks for date_format when no date settles the order, and honours it", async () => {
    const file = "!Type:Bank\nD01/02/2024\nT-1.00\nPX\n^\n";
    await expect(read("qif", file)).rejects.toBeInstanceOf(AmbiguousDates);
    expect(summary(await read("qif", file, { date_format: "DD/MM/YYYY" }))).toEqual([[2, "2024-02-01", -100, "X"]]);
  });

  it("refuses a file that is not QIF", async () => {
    await expect(read("qif", "date,amount\n1,2\n")).rejects.toBeInstanceOf(MalformedFile);
    await expect(read("qif", "")).rejects.toBeInstanceOf(MalformedFile);
    await expect(read("qif", "!Type:Invst\nD1/2'24\n^\n")).rejects.toThrow(/investment/);
  });
});
