import { isIsoDate, parseMajorUnits } from "#core";
import { MalformedFile, boundedRow, type ParsedRow } from "./rows";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** A character reference (`&#233;`, `&#xE9;`) as its character; one naming no Unicode character stays as written. */
function characterOf(reference: string, digits: string, radix: number): string {
  const code = Number.parseInt(digits, radix);
  return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : reference;
}

const field = (block: string, tag: string) =>
  new RegExp(`<${tag}>([^<\\r\\n]*)`, "i")
    .exec(block)?.[1]
    ?.trim()
    .replace(/&(?:(amp|lt|gt|quot|apos|nbsp)|#(\d{1,7})|#x([0-9a-f]{1,6}));/gi, (ref, name?: string, dec?: string, hex?: string) =>
      name ? (ENTITIES[name.toLowerCase()] ?? ref) : dec ? characterOf(ref, dec, 10) : characterOf(ref, hex!, 16),
    );

/** OFX 1.x (SGML) and 2.x (XML): each <STMTTRN> aggregate is one transaction; FITID is its external id. */
export async function* parseOfx(lines: AsyncIterable<string>, currency: string): AsyncGenerator<ParsedRow> {
  let n = 0;
  let sawOfx = false;
  let block: string | undefined;
  let blockLine = 0;
  let curdef: string | undefined;
  for await (const text of lines) {
    n++;
    curdef = /<CURDEF>\s*([A-Za-z]{3})/.exec(text)?.[1].toUpperCase() ?? curdef;
    // Some banks write the whole file on one line: walk the aggregates within the line too.
    let rest = text;
    if (/<OFX>|OFXHEADER/i.test(rest)) sawOfx = true;
    while (rest.length) {
      if (block === undefined) {
        const start = rest.search(/<STMTTRN>/i);
        if (start < 0) break;
        // Checked before the first transaction, so a file that is not OFX changes nothing.
        if (!sawOfx) throw new MalformedFile("Not an OFX file: no OFX header or <OFX> element before the first <STMTTRN>.");
        block = "";
        blockLine = n;
        rest = rest.slice(start + 9);
      }
      const end = rest.search(/<\/STMTTRN>/i);
      if (end < 0) {
        block += rest + "\n";
        break;
      }
      block += rest.slice(0, end);
      rest = rest.slice(end + 10);
      // A statement in another currency than the account's: its amounts are not this account's money.
      yield curdef && curdef !== currency
        ? { line: blockLine, ok: false, message: `the statement's currency (CURDEF ${curdef}) differs from the account's ${currency}` }
        : toRow(block, blockLine, currency);
      block = undefined;
    }
  }
  if (!sawOfx) throw new MalformedFile("Not an OFX file: no <OFX> element.");
  // The file is cut short: what it holds may be a part of a statement, so none of it is imported.
  if (block !== undefined) throw new MalformedFile(`The file ends inside the <STMTTRN> opened on line ${blockLine}: it is cut short.`);
}

function toRow(block: string, line: number, currency: string): ParsedRow {
  const posted = field(block, "DTPOSTED") ?? "";
  const date = /^\d{8}/.test(posted) ? `${posted.slice(0, 4)}-${posted.slice(4, 6)}-${posted.slice(6, 8)}` : "";
  const amount = parseMajorUnits((field(block, "TRNAMT") ?? "").replace(",", "."), currency);
  const name = field(block, "NAME");
  const description = name || field(block, "MEMO") || "";
  if (!isIsoDate(date)) return { line, ok: false, message: `DTPOSTED must start with YYYYMMDD, got "${posted.slice(0, 40)}"` };
  if (amount === null || amount === 0) return { line, ok: false, message: "TRNAMT must be a non-zero decimal amount" };
  if (!description) return { line, ok: false, message: "NAME or MEMO is required" };
  const row = { occurred_at: date, amount, description, external_id: field(block, "FITID"), counterparty: field(block, "PAYEEID") };
  return boundedRow(line, row, { description: name ? "NAME" : "MEMO", external_id: "FITID", counterparty: "PAYEEID" });
}
