// Bank statements as banks export them (tests/fixtures/imports), imported through the gateway of the
// real stack: exact balances, dates and descriptions (accents intact), and nothing on re-import.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, register } from "./helpers";

let token = "";
const fixture = (name: string) => readFileSync(path.resolve(import.meta.dirname, "../fixtures/imports", name));

async function account(currency: string) {
  const res = await call("/v1/accounts", {
    method: "POST",
    token,
    json: { name: `Imports ${currency}`, type: "checking", currency, overdraft_limit: null },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}
const upload = (acc: string, body: BodyInit, type: string, query = "") =>
  call(`/v1/accounts/${acc}/imports${query}`, { method: "POST", token, body, headers: { "content-type": type } });
const balance = async (acc: string) => (await call(`/v1/accounts/${acc}/balance`, { token })).body.current as number;
/** The account's entries as [date, amount, description, counterparty, external_id], oldest first. */
async function entries(acc: string) {
  const res = await call(`/v1/accounts/${acc}/transactions?limit=100`, { token });
  expect(res.status).toBe(200);
  type Entry = { occurred_at: string; amount: number; description: string; counterparty: string | null; external_id: string | null };
  return (res.body.data as Entry[])
    .map((e) => [e.occurred_at, e.amount, e.description, e.counterparty, e.external_id] as const)
    .sort((a, b) => (a[0] + a[2] + a[1]).localeCompare(b[0] + b[2] + b[1]));
}
/** The 1-based line of the n-th (0-based) line of `text` that includes `needle`. */
const lineOf = (text: string, needle: string, n = 0) =>
  text
    .split("\n")
    .map((l, i) => (l.includes(needle) ? i + 1 : 0))
    .filter(Boolean)[n];

beforeAll(async () => {
  token = await register("importer");
});

interface Case {
  file: string;
  type: string;
  currency: string;
  answer: Record<string, unknown>;
  rows: (readonly [string, number, string, string | null, string | null])[];
  balance: number;
}

const cases: Record<string, Case> = {
  "a French bank (Windows-1252, ';', preamble, Débit/Crédit, decimal comma, multi-line label)": {
    file: "fr-bank-cp1252.csv",
    type: "text/csv",
    currency: "EUR",
    answer: { format: "csv", imported: 6, duplicates: 0, failed: 0, errors: [] },
    rows: [
      ["2024-02-01", -8990, "PRLV SEPA EDF Échéance février", null, null],
      ["2024-02-03", -450, "CB CAFÉ DE LA GARE 02/02", null, null],
      ["2024-02-03", -450, "CB CAFÉ DE LA GARE 02/02", null, null],
      ["2024-02-05", 245000, 'VIR SALAIRE ACME "FÉVRIER"', null, null],
      ["2024-02-15", -12000, "CHÈQUE N° 1234567", null, null],
      ["2024-02-28", -101235, "CB BOULANGERIE SAINT-HONORÉ; PARIS", null, null],
    ],
    balance: 121875,
  },
  "a German bank (UTF-8 with BOM, DD.MM.YYYY, 1.234,56, Buchungstag/Verwendungszweck/Betrag)": {
    file: "de-bank-utf8-bom.csv",
    type: "text/csv",
    currency: "EUR",
    answer: { format: "csv", imported: 7, duplicates: 0, failed: 0 },
    rows: [
      ["2024-02-01", -8500, "Abschlag Strom Februar", "Stadtwerke München", null],
      ["2024-02-02", 345678, "Gehalt Februar 2024", "ACME GmbH", null],
      ["2024-02-05", -12345, "Einkauf Lebensmittel Düsseldorf", "REWE Markt GmbH", null],
      ["2024-03-01", -123456, "Miete März Wohnung 3.OG", "Hausverwaltung Müller & Söhne", null],
      ["2024-03-04", -480, "Brötchen", "Bäckerei Groß", null],
      ["2024-03-04", -480, "Brötchen", "Bäckerei Groß", null],
      ["2024-03-13", 2550, "Erstattung Einkommensteuer 2022", "Finanzamt", null],
    ],
    balance: 202967,
  },
  "a US bank (MM/DD/YYYY, $1,234.56, a summary preamble)": {
    file: "us-bank.csv",
    type: "text/csv",
    currency: "USD",
    // Its "Beginning balance" line has no amount: reported on its physical line, not imported.
    answer: {
      format: "csv",
      imported: 4,
      duplicates: 0,
      failed: 1,
      errors: [{ line: 8, message: 'amount "" is not a non-zero USD amount' }],
    },
    rows: [
      ["2024-01-02", -575, "STARBUCKS STORE #1234 SEATTLE, WA", null, null],
      ["2024-01-05", -125000, 'RENT PAYMENT "JAN" - OAKWOOD APTS', null, null],
      ["2024-01-15", 373456, "ACME CORP PAYROLL DIR DEP", null, null],
      ["2024-01-20", -4967, "AMAZON MKTPLACE PMTS AMZN.COM/BILL", null, null],
    ],
    balance: 242914,
  },
  "a UK bank (DD/MM/YYYY, debit and credit columns, CRLF)": {
    file: "uk-bank.csv",
    type: "text/csv",
    currency: "GBP",
    answer: { format: "csv", imported: 5, duplicates: 0, failed: 0 },
    rows: [
      ["2024-02-01", -110000, "RENT, FLAT 2", null, null],
      ["2024-02-01", 100000, "TRANSFER FROM SAVINGS", null, null],
      ["2024-02-14", -3850, "THAMES WATER", null, null],
      ["2024-02-26", 210000, "EMPLOYER LTD SALARY", null, null],
      ["2024-02-29", -1234, "TESCO STORES 3456", null, null],
    ],
    balance: 194916,
  },
  "QIF (!Type:Bank, Quicken dates 1/2'24)": {
    file: "bank.qif",
    type: "application/qif",
    currency: "USD",
    answer: { format: "qif", imported: 5, duplicates: 0, failed: 0 },
    rows: [
      ["2024-01-02", -123456, "OAKWOOD PROPERTIES", null, null],
      ["2024-01-15", 250000, "ACME PAYROLL", null, null],
      ["2024-01-20", -4567, "WHOLE FOODS MARKET", null, null],
      ["2024-01-20", -4567, "WHOLE FOODS MARKET", null, null],
      ["2024-01-31", -1200, "CAFÉ NOIR", null, null],
    ],
    balance: 116210,
  },
  "OFX 1.x SGML (Windows-1252, FITID)": {
    file: "us-bank.ofx",
    type: "application/x-ofx",
    currency: "USD",
    answer: { format: "ofx", imported: 3, duplicates: 0, failed: 0 },
    rows: [
      ["2024-02-03", -2340, "CAFÉ & BISTRO", null, "202402030001"],
      ["2024-02-15", 200000, "ACME PAYROLL", null, "202402150002"],
      ["2024-02-20", -15000, "CHECK 1042", null, "202402200003"],
    ],
    balance: 182660,
  },
  "CAMT.053.001.02 (a German bank; another currency and a pending entry are row errors)": {
    file: "camt053-001-02.xml",
    type: "application/vnd.iso20022.camt.053+xml",
    currency: "EUR",
    answer: { format: "camt.053", imported: 3, duplicates: 0, failed: 2 },
    rows: [
      ["2024-02-02", 345678, "Gehalt Februar 2024", "ACME GmbH", "2024020200012345"],
      ["2024-02-05", -8500, "Abschlag Strom Februar Vertrag 4711 Kundennr. 0815", "Stadtwerke München GmbH", "2024020500023456"],
      ["2024-02-10", -1999, "Café Süßes Eck", "Café Süßes Eck", "2024021000034567"],
    ],
    balance: 335179,
  },
  "CAMT.053.001.08 (a French bank; Sts/Cd, Pty/Nm, NtryRef)": {
    file: "camt053-001-08.xml",
    type: "application/xml",
    currency: "EUR",
    answer: { format: "camt.053", imported: 3, duplicates: 0, failed: 0 },
    rows: [
      ["2024-02-05", 245000, "VIR SALAIRE FÉVRIER", "ACME SAS", "FR-0001"],
      ["2024-02-07", -8990, "PRLV SEPA Échéance février & régularisation", "EDF Électricité de France", "FR-0002"],
      ["2024-02-08", -450, "CAFÉ DE LA GARE", "CAFÉ DE LA GARE", "FR-0003"],
    ],
    balance: 235560,
  },
};

describe("statement fixtures through the gateway", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`imports ${name} exactly, and nothing on re-import`, async () => {
      const acc = await account(c.currency);
      const body = fixture(c.file);
      const first = await upload(acc, body, c.type);
      expect(first.status, first.text).toBe(201);
      expect(first.body).toMatchObject(c.answer);
      expect(first.body.id).toMatch(/^imp_/);
      expect(await entries(acc)).toEqual(c.rows);
      expect(await balance(acc)).toBe(c.balance);
      const again = await upload(acc, body, c.type);
      expect(again.body).toMatchObject({ imported: 0, duplicates: c.rows.length, failed: first.body.failed });
      expect(await balance(acc)).toBe(c.balance);
    });
  }

  it("reports the CAMT entries it refuses on the line of their <Ntry>", async () => {
    const acc = await account("EUR");
    const text = fixture("camt053-001-02.xml").toString("utf8");
    const res = await upload(acc, text, "application/xml");
    expect(res.body.errors).toEqual([
      { line: lineOf(text, "<Ntry>", 3), message: `entry currency "USD" differs from the account's EUR` },
      { line: lineOf(text, "<Ntry>", 4), message: `entry status "PDNG" is not booked (BOOK): only booked entries are imported` },
    ]);
  });

  it("answers a dry run as the import would, writing nothing", async () => {
    const acc = await account("EUR");
    const body = fixture("fr-bank-cp1252.csv");
    const dry = await upload(acc, body, "text/csv", "?dry_run=true");
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ format: "csv", imported: 6, duplicates: 0, failed: 0 });
    expect(await balance(acc)).toBe(0);
    expect(await entries(acc)).toEqual([]);
    const real = await upload(acc, body, "text/csv");
    expect({ ...real.body, id: "" }).toEqual({ ...dry.body, id: "" });
  });

  it("refuses a file that is not its declared format, with nothing imported", async () => {
    const acc = await account("EUR");
    const xml = fixture("camt053-001-02.xml").toString("utf8");
    expectProblem(await upload(acc, xml.slice(0, xml.length - 60), "application/xml"), 422, "validation_failed");
    expectProblem(await upload(acc, fixture("fr-bank-cp1252.csv"), "application/xml"), 422, "validation_failed");
    expectProblem(await upload(acc, xml, "application/qif"), 422, "validation_failed");
    expectProblem(await upload(acc, fixture("bank.qif"), "text/csv"), 422, "validation_failed");
    expectProblem(await upload(acc, "", "text/csv"), 422, "validation_failed");
    expectProblem(await upload(acc, xml, "application/pdf"), 415, "unsupported_media_type");
    expect(await balance(acc)).toBe(0);
  });
});
