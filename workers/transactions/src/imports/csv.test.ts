import { describe, expect, it } from "vitest";
import { AmbiguousDates } from "./csv";
import { MalformedFile } from "./rows";
import { read, summary } from "./test-support";

const cp1252 = (s: string) => new Uint8Array([...s].map((ch) => ({ "€": 0x80 })[ch] ?? ch.charCodeAt(0)));

describe("CSV as banks write it", () => {
  it("reads a French export: Windows-1252, ';', preamble, Débit/Crédit, multi-line quoted label, physical line numbers", async () => {
    const file = [
      "Compte courant n° 123;;;",
      "Solde au 29/02/2024;1 234,56 €;;",
      "",
      "Date;Libellé;Débit;Crédit",
      '01/02/2024;"PRLV SEPA EDF',
      'Échéance février";89,90;',
      '03/02/2024;"CB CAFÉ ""LE ZINC""";-4,50;',
      "05/02/2024;VIR SALAIRE;;2 450,00",
      "31/02/2024;date impossible;1,00;",
      "06/02/2024;montant faux;12,34,56;",
    ].join("\r\n");
    const rows = await read("csv", cp1252(file));
    expect(summary(rows)).toEqual([
      [5, "2024-02-01", -8990, "PRLV SEPA EDF Échéance février"],
      [7, "2024-02-03", -450, 'CB CAFÉ "LE ZINC"'],
      [8, "2024-02-05", 245000, "VIR SALAIRE"],
      [9, 'date "31/02/2024" is not a date in DD/MM/YYYY'],
      [10, 'debit "12,34,56" is not a EUR amount'],
    ]);
  });

  it("reads German headers and amounts (Buchungstag, Verwendungszweck, Betrag; Soll/Haben)", async () => {
    const betrag = await read(
      "csv",
      "\uFEFFBuchungstag;Valuta;Verwendungszweck;Betrag (EUR)\n02.02.2024;02.02.2024;Gehalt;3.456,78\n05.02.2024;05.02.2024;Miete;-1.234,56\n",
    );
    expect(summary(betrag)).toEqual([
      [2, "2024-02-02", 345678, "Gehalt"],
      [3, "2024-02-05", -123456, "Miete"],
    ]);
    const sollHaben = await read(
      "csv",
      "Buchungstag\tBuchungstext\tSoll\tHaben\n01.03.2024\tREWE\t12,30\t\n02.03.2024\tErstattung\t\t5,00\n",
    );
    expect(summary(sollHaben)).toEqual([
      [2, "2024-03-01", -1230, "REWE"],
      [3, "2024-03-02", 500, "Erstattung"],
    ]);
  });

  it("reads a US export (comma, MM/DD/YYYY, $1,234.56) and infers the month-first order from a day over 12", async () => {
    const rows = await read(
      "csv",
      'Date,Description,Amount\n01/02/2024,"STARBUCKS, SEATTLE",-$5.75\n01/15/2024,PAYROLL,"$1,234.56"\n01/16/2024,BAD,12,34,56\n',
      { currency: "USD" },
    );
    expect(summary(rows)).toEqual([
      [2, "2024-01-02", -575, "STARBUCKS, SEATTLE"],
      [3, "2024-01-15", 123456, "PAYROLL"],
      [4, "expected 3 fields, got 5 (an amount with a decimal comma must be quoted in a comma-separated file)"],
    ]);
  });

  it("names the form a bad date was read in: year first is YYYY-MM-DD even in a day-first file", async () => {
    const file = ["Date;Libellé;Montant", "03/02/2024;a;1,00", "2024-13-45;b;1,00", "31/02/2024;c;1,00"].join("\n");
    expect(summary(await read("csv", new TextEncoder().encode(file)))).toEqual([
      [2, "2024-02-03", 100, "a"],
      [3, 'date "2024-13-45" is not a date in YYYY-MM-DD'],
      [4, 'date "31/02/2024" is not a date in DD/MM/YYYY'],
    ]);
  });

  it("asks for date_format when the dates read both ways, and follows it when given", async () => {
    const file = "Date,Description,Amount\n01/02/2024,A,-1.00\n03/04/2024,B,-2.00\n";
    await expect(read("csv", file)).rejects.toBeInstanceOf(AmbiguousDates);
    expect(summary(await read("csv", file, { date_format: "MM/DD/YYYY" }))[0]).toEqual([2, "2024-01-02", -100, "A"]);
    expect(summary(await read("csv", file, { date_format: "DD/MM/YYYY" }))[0]).toEqual([2, "2024-02-01", -100, "A"]);
    // A French header settles it: French banks write the day first.
    expect(summary(await read("csv", "Date opération;Libellé;Montant\n01/02/2024;A;-1,00\n"))[0]).toEqual([2, "2024-02-01", -100, "A"]);
  });

  it("reads a file without a header from ?columns= (- skips), and with &header=true skips its first record", async () => {
    const file = "2024-01-02;ignored;CARREFOUR;-12,50\n2024-01-03;x;SNCF;-40,00\n";
    const rows = await read("csv", file, { columns: ["date", "-", "description", "amount"] });
    expect(summary(rows)).toEqual([
      [1, "2024-01-02", -1250, "CARREFOUR"],
      [2, "2024-01-03", -4000, "SNCF"],
    ]);
    const headed = await read("csv", `when;x;what;how much\n${file}`, { columns: ["date", "-", "description", "amount"], header: true });
    expect(headed.map((r) => r.line)).toEqual([2, 3]);
  });

  it("keeps category, counterparty and external_id columns, and refuses over-long fields as row errors", async () => {
    const rows = await read(
      "csv",
      `date,amount,description,category,counterparty,external_id\n2024-01-02,-1.00,ok,groceries,Shop,x1\n2024-01-02,-1.00,${"d".repeat(1024 * 1024)},,,\n`,
      {},
      64 * 1024,
    );
    expect(rows[0]).toEqual({
      line: 2,
      ok: true,
      row: { occurred_at: "2024-01-02", amount: -100, description: "ok", category: "groceries", counterparty: "Shop", external_id: "x1" },
    });
    expect(rows[1]).toEqual({ line: 3, ok: false, message: "description must be at most 500 characters, got 1048576" });
  });

  it("uses the account currency's exponent", async () => {
    expect(
      summary(await read("csv", "date,amount,description\n2024-01-02,-1200,RAMEN\n2024-01-02,-12.5,bad\n", { currency: "JPY" })),
    ).toEqual([
      [2, "2024-01-02", -1200, "RAMEN"],
      [3, 'amount "-12.5" is not a non-zero JPY amount'],
    ]);
    expect(summary(await read("csv", "date,amount,description\n2024-01-02,-1.234,X\n", { currency: "KWD" }))).toEqual([
      [2, "2024-01-02", -1234, "X"],
    ]);
  });

  it("refuses what is not a statement: empty, no header, an unclosed quote; a header alone has no rows", async () => {
    await expect(read("csv", "")).rejects.toBeInstanceOf(MalformedFile);
    await expect(read("csv", "\n\n")).rejects.toBeInstanceOf(MalformedFile);
    await expect(read("csv", "when,how much\nx,y\n")).rejects.toThrow(/No header row/);
    await expect(read("csv", 'date,amount,description\n2024-01-02,-1.00,"never closed\n2024-01-03,1,x\n')).rejects.toThrow(
      /quoted field is never closed/,
    );
    expect(await read("csv", "date,amount,description\n")).toEqual([]);
  });
});
