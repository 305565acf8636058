import { describe, expect, it } from "vitest";
import { MalformedFile, type ParsedRow } from "./rows";
import { parseOfx } from "./ofx";

async function* from(lines: string[]) {
  yield* lines;
}
const collect = async (gen: AsyncGenerator<ParsedRow>) => {
  const out: ParsedRow[] = [];
  for await (const r of gen) out.push(r);
  return out;
};

describe("OFX", () => {
  const sgml = [
    "OFXHEADER:100",
    "DATA:OFXSGML",
    "VERSION:102",
    "",
    "<OFX>",
    "<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKTRANLIST>",
    "<STMTTRN>",
    "<TRNTYPE>DEBIT",
    "<DTPOSTED>20260105120000[+1:CET]",
    "<TRNAMT>-42.10",
    "<FITID>A1",
    "<NAME>SNCF INTERNET",
    "</STMTTRN>",
    "<STMTTRN>",
    "<TRNTYPE>CREDIT",
    "<DTPOSTED>20260106",
    "<TRNAMT>1500,00",
    "<FITID>A2",
    "<MEMO>VIR SALAIRE",
    "</STMTTRN>",
    "<STMTTRN>",
    "<DTPOSTED>garbage",
    "<TRNAMT>-1",
    "<NAME>X",
    "</STMTTRN>",
    "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>",
  ];

  it("reads OFX 1.x SGML aggregates with FITID as external id", async () => {
    const rows = await collect(parseOfx(from(sgml), "EUR"));
    expect(rows[0]).toEqual({
      line: 7,
      ok: true,
      row: { occurred_at: "2026-01-05", amount: -4210, description: "SNCF INTERNET", external_id: "A1", counterparty: undefined },
    });
    expect(rows[1]).toMatchObject({ line: 14, ok: true, row: { amount: 150000, description: "VIR SALAIRE", external_id: "A2" } });
    expect(rows[2]).toMatchObject({ line: 21, ok: false });
  });

  it("reads OFX 2.x XML, even when the whole file is one line", async () => {
    const xml =
      '<?xml version="1.0"?><?OFX OFXHEADER="200" VERSION="220"?><OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>' +
      "<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20260201</DTPOSTED><TRNAMT>-9.99</TRNAMT><FITID>N1</FITID><NAME>NETFLIX.COM</NAME></STMTTRN>" +
      "<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20260202</DTPOSTED><TRNAMT>-3.50</TRNAMT><FITID>N2</FITID><NAME>BOULANGERIE</NAME></STMTTRN>" +
      "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";
    const rows = await collect(parseOfx(from([xml]), "EUR"));
    expect(rows.map((r) => (r.ok ? [r.row.external_id, r.row.amount] : null))).toEqual([
      ["N1", -999],
      ["N2", -350],
    ]);
  });

  it("refuses impossible dates per transaction", async () => {
    const [row] = await collect(
      parseOfx(from(["OFXHEADER:100", "<OFX>", "<STMTTRN><DTPOSTED>20260230<TRNAMT>-1<NAME>X</STMTTRN>"]), "EUR"),
    );
    expect(row).toMatchObject({ ok: false, message: expect.stringContaining("DTPOSTED") });
  });

  it("reports an oversized NAME, MEMO, PAYEEID or FITID as a row error", async () => {
    const big = "x".repeat(500 * 1024);
    const trn = (tags: string) => `<STMTTRN><DTPOSTED>20260105<TRNAMT>-1.00${tags}</STMTTRN>`;
    const rows = await collect(
      parseOfx(
        from([
          "OFXHEADER:100",
          "<OFX>",
          trn(`<NAME>${big}`),
          trn(`<MEMO>${big}`),
          trn(`<NAME>X<PAYEEID>${big}`),
          trn(`<FITID>${"f".repeat(256)}<NAME>X`),
          trn("<FITID>ok<NAME>X<PAYEEID>P1"),
        ]),
        "EUR",
      ),
    );
    expect(rows.map((r) => (r.ok ? r.row : r.message))).toEqual([
      "NAME must be at most 500 characters, got 512000",
      "MEMO must be at most 500 characters, got 512000",
      "PAYEEID must be at most 200 characters, got 512000",
      "FITID must be at most 255 characters, got 256",
      { occurred_at: "2026-01-05", amount: -100, description: "X", external_id: "ok", counterparty: "P1" },
    ]);
    expect(rows.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
  });

  it("decodes character references, named and numeric, in a field", async () => {
    const [row] = await collect(
      parseOfx(
        from(["<OFX>", "<STMTTRN><DTPOSTED>20260105<TRNAMT>-1.00<NAME>Caf&#233; &#x263A; &apos;q&apos; &amp; &#0; &#xD800;</STMTTRN>"]),
        "EUR",
      ),
    );
    expect(row).toMatchObject({ ok: true, row: { description: "Café ☺ 'q' & &#0; &#xD800;" } });
  });

  it("refuses a file cut short inside a transaction, so that nothing of it is imported", async () => {
    const cut = ["OFXHEADER:100", "<OFX>", "<STMTTRN><DTPOSTED>20260105<TRNAMT>-1.00<NAME>A</STMTTRN>", "<STMTTRN><DTPOSTED>2026"];
    await expect(collect(parseOfx(from(cut), "EUR"))).rejects.toThrow(/line 4: it is cut short/);
  });

  it("refuses a file that is not OFX", async () => {
    await expect(collect(parseOfx(from(["date,amount", "1,2"]), "EUR"))).rejects.toBeInstanceOf(MalformedFile);
  });
});

describe("OFX currency", () => {
  it("refuses the transactions of a statement in another currency than the account's", async () => {
    const file = [
      "OFXHEADER:100",
      "<OFX>",
      "<STMTRS><CURDEF>USD<BANKTRANLIST>",
      "<STMTTRN><DTPOSTED>20260105<TRNAMT>-1.00<NAME>X</STMTTRN>",
    ];
    expect(await collect(parseOfx(from(file), "EUR"))).toEqual([
      { line: 4, ok: false, message: "the statement's currency (CURDEF USD) differs from the account's EUR" },
    ]);
    expect((await collect(parseOfx(from(file), "USD")))[0]).toMatchObject({ ok: true });
  });
});
