import { describe, expect, it } from "vitest";
import { MalformedFile } from "./rows";
import { read, summary } from "./test-support";

const doc = (version: string, entries: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}">\n<BkToCstmrStmt><Stmt><Acct><Ccy>EUR</Ccy></Acct>\n${entries}</Stmt></BkToCstmrStmt></Document>\n`;
const ntry = (body: string) => `<Ntry>\n${body}\n</Ntry>\n`;

describe("CAMT.053", () => {
  it("reads .001.02 entries: Amt/@Ccy, CdtDbtInd, BookgDt, AcctSvcrRef, Ustrd or the counterparty as description", async () => {
    const file = doc(
      "02",
      ntry(
        '<Amt Ccy="EUR">3456.78</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-02-02</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef>' +
          "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>ACME GmbH</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Gehalt</Ustrd><Ustrd>Februar</Ustrd></RmtInf></TxDtls></NtryDtls>",
      ) +
        ntry(
          '<NtryRef>N2</NtryRef><Amt Ccy="EUR">19.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-02-10</Dt></BookgDt>' +
            "<NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Café Süß</Nm></Cdtr></RltdPties></TxDtls></NtryDtls>",
        ),
    );
    const rows = await read("camt.053", file);
    expect(rows).toEqual([
      {
        line: 4,
        ok: true,
        row: { occurred_at: "2024-02-02", amount: 345678, description: "Gehalt Februar", counterparty: "ACME GmbH", external_id: "R1" },
      },
      {
        line: 7,
        ok: true,
        row: { occurred_at: "2024-02-10", amount: -1999, description: "Café Süß", counterparty: "Café Süß", external_id: "N2" },
      },
    ]);
  });

  it("reads .001.08 (Sts/Cd, BookgDt/DtTm, RltdPties/Cdtr/Pty/Nm) and reports other currencies and pending entries as row errors", async () => {
    const file = doc(
      "08",
      ntry(
        '<NtryRef>A</NtryRef><Amt Ccy="EUR">89.90</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><DtTm>2024-02-07T09:30:00+01:00</DtTm></BookgDt>' +
          "<NtryDtls><TxDtls><RltdPties><Cdtr><Pty><Nm>EDF</Nm></Pty></Cdtr></RltdPties><RmtInf><Ustrd>PRLV &amp; régul</Ustrd></RmtInf></TxDtls></NtryDtls>",
      ) +
        ntry(
          '<Amt Ccy="USD">25.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-02-12</Dt></BookgDt><AddtlNtryInf>GITHUB</AddtlNtryInf>',
        ) +
        ntry(
          '<Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><Dt>2024-02-12</Dt></BookgDt><AddtlNtryInf>X</AddtlNtryInf>',
        ) +
        ntry('<Amt Ccy="EUR">1.005</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2024-02-12</Dt></BookgDt><AddtlNtryInf>X</AddtlNtryInf>'),
    );
    expect(summary(await read("camt.053", file))).toEqual([
      [4, "2024-02-07", -8990, "PRLV & régul"],
      [7, 'entry currency "USD" differs from the account\'s EUR'],
      [10, 'entry status "PDNG" is not booked (BOOK): only booked entries are imported'],
      [13, 'Amt "1.005" is not a non-zero amount with at most 2 decimals'],
    ]);
  });

  it("reports a 1 MB remittance text as a row error with its real length", async () => {
    const rows = await read(
      "camt.053",
      doc(
        "02",
        ntry(
          `<Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2024-02-12</Dt></BookgDt><NtryDtls><TxDtls><RmtInf><Ustrd>${"u".repeat(1 << 20)}</Ustrd></RmtInf></TxDtls></NtryDtls>`,
        ),
      ),
      {},
      64 * 1024,
    );
    expect(summary(rows)).toEqual([[4, "RmtInf/Ustrd must be at most 500 characters, got 1048576"]]);
  });

  it("refuses truncated XML, another message, a wrong encoding declaration, and an empty file", async () => {
    const good = doc(
      "02",
      ntry('<Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2024-02-12</Dt></BookgDt><AddtlNtryInf>X</AddtlNtryInf>'),
    );
    await expect(read("camt.053", good.slice(0, good.length - 40))).rejects.toBeInstanceOf(MalformedFile);
    await expect(read("camt.053", good.replace("camt.053.001.02", "camt.052.001.02"))).rejects.toThrow(/Not a CAMT.053/);
    await expect(read("camt.053", good.replace("camt.053.001.02", "camt.053.001.09"))).rejects.toThrow(/Not a CAMT.053/);
    await expect(read("camt.053", "<html><body/></html>")).rejects.toThrow(/Not a CAMT.053/);
    await expect(read("camt.053", good.replace("UTF-8", "ISO-8859-1").replace("X<", "Été<"))).rejects.toThrow(
      /declares encoding "iso-8859-1" but its text is UTF-8/,
    );
    const latin1 = new Uint8Array([...good.replace("X<", "\u00e9<")].map((c) => c.charCodeAt(0)));
    await expect(read("camt.053", latin1)).rejects.toThrow(/not valid UTF-8/);
    await expect(read("camt.053", "")).rejects.toBeInstanceOf(MalformedFile);
    await expect(read("camt.053", "date,amount\n")).rejects.toBeInstanceOf(MalformedFile);
  });
});
