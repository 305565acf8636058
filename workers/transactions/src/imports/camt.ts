import { SaxesParser } from "saxes";
import { minorUnitExponent } from "#core";
import { parseAmount } from "./amounts";
import { parseDate } from "./dates";
import { MalformedFile, boundedRow, excerpt, oneLine, type ParsedRow, type StatementRow } from "./rows";

/** ISO 20022 bank-to-customer statements, versions .001.02 to .001.08. */
const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0([2-8])$/;

/** What one <Ntry> says, gathered as its elements stream by. */
interface Entry {
  line: number;
  amount?: string;
  currency?: string;
  indicator?: string;
  status?: string;
  booked?: string;
  value?: string;
  acctSvcrRef?: string;
  ntryRef?: string;
  ustrd: string[];
  creditor?: string;
  debtor?: string;
  info?: string;
}

/**
 * The entries of a CAMT.053 statement, read by saxes as the text streams in (no regular expressions,
 * no tree of the file kept): each <Ntry> becomes one row when its closing tag is read. Anything that is
 * not well-formed XML, or whose root is not a camt.053 Document, is a MalformedFile.
 */
export async function* camtRows(text: AsyncIterable<string>, currency: string): AsyncGenerator<ParsedRow> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const path: string[] = [];
  const out: ParsedRow[] = [];
  let entry: Entry | undefined;
  let rootChecked = false;
  let sawStatement = false;

  parser.on("error", (e) => {
    throw new MalformedFile(`Not well-formed XML: ${e.message.slice(0, 200)}`);
  });
  parser.on("doctype", () => {
    throw new MalformedFile("A CAMT.053 statement has no DOCTYPE.");
  });
  parser.on("opentag", (tag) => {
    text_ = "";
    if (!rootChecked) {
      rootChecked = true;
      if (tag.local !== "Document" || !NAMESPACE.test(tag.uri ?? ""))
        throw new MalformedFile(
          `Not a CAMT.053 statement: the root is <${tag.name}> in namespace ${excerpt(tag.uri ?? "")}, not a camt.053.001.02–08 Document.`,
        );
    }
    path.push(tag.local ?? tag.name);
    if (tag.local === "Stmt" && path[path.length - 2] === "BkToCstmrStmt") sawStatement = true;
    if (tag.local === "Ntry" && path[path.length - 2] === "Stmt") entry = { line: parser.line, ustrd: [] };
    if (entry && tag.local === "Amt" && path.length >= 2 && path[path.length - 2] === "Ntry")
      entry.currency = String(tag.attributes.Ccy?.value ?? "");
  });
  // Leaf text is gathered until its closing tag (saxes may hand one text over in pieces); the body
  // limit bounds it, and a text longer than its field is reported with its real length.
  let text_ = "";
  parser.on("text", (t) => {
    if (entry) text_ += t;
  });
  parser.on("closetag", (tag) => {
    const t = text_;
    text_ = "";
    if (entry && t.trim()) leaf(entry, t);
    path.pop();
    if (tag.local === "Ntry" && entry && path[path.length - 1] === "Stmt") {
      out.push(toRow(entry, currency));
      entry = undefined;
    }
  });
  const leaf = (e: Entry, t: string) => {
    const at = path.length - 1;
    const name = path[at];
    const parent = path[at - 1];
    const grand = path[at - 2];
    const direct = parent === "Ntry";
    if (direct && name === "Amt") e.amount = t;
    else if (direct && name === "CdtDbtInd") e.indicator = t;
    else if ((direct && name === "Sts") || (parent === "Sts" && grand === "Ntry" && name === "Cd")) e.status = t;
    else if (parent === "BookgDt" && grand === "Ntry" && (name === "Dt" || name === "DtTm")) e.booked = t;
    else if (parent === "ValDt" && grand === "Ntry" && (name === "Dt" || name === "DtTm")) e.value = t;
    else if (direct && name === "AcctSvcrRef") e.acctSvcrRef = t;
    else if (direct && name === "NtryRef") e.ntryRef = t;
    else if (direct && name === "AddtlNtryInf") e.info = t;
    else if (name === "Ustrd" && parent === "RmtInf") e.ustrd.push(t);
    else if (name === "Nm" && path.includes("RltdPties")) {
      // .02 writes RltdPties/Cdtr/Nm, .08 RltdPties/Cdtr/Pty/Nm.
      const party = parent === "Pty" ? grand : parent;
      if (party === "Cdtr") e.creditor ??= t;
      else if (party === "Dbtr") e.debtor ??= t;
    }
  };

  for await (const chunk of text) {
    parser.write(chunk);
    if (out.length) yield* out.splice(0);
  }
  parser.close();
  if (!rootChecked) throw new MalformedFile("The file is empty: no XML element.");
  if (!sawStatement) throw new MalformedFile("Not a CAMT.053 statement: no BkToCstmrStmt/Stmt element.");
  yield* out.splice(0);
}

const DECIMAL = /^\d{1,18}(?:\.\d{1,18})?$/;

function toRow(e: Entry, currency: string): ParsedRow {
  const { line } = e;
  const status = e.status?.trim().toUpperCase();
  if (status && status !== "BOOK")
    return { line, ok: false, message: `entry status ${excerpt(status)} is not booked (BOOK): only booked entries are imported` };
  if (e.currency !== currency)
    return { line, ok: false, message: `entry currency ${excerpt(e.currency ?? "")} differs from the account's ${currency}` };
  const amountText = e.amount?.trim() ?? "";
  const magnitude = DECIMAL.test(amountText) ? parseAmount(amountText, currency, ".") : null;
  if (magnitude === null || magnitude === 0)
    return {
      line,
      ok: false,
      message: `Amt ${excerpt(amountText)} is not a non-zero amount with at most ${minorUnitExponent(currency)} decimals`,
    };
  const indicator = e.indicator?.trim();
  if (indicator !== "CRDT" && indicator !== "DBIT")
    return { line, ok: false, message: `CdtDbtInd ${excerpt(indicator ?? "")} must be CRDT or DBIT` };
  const dateText = (e.booked ?? e.value ?? "").trim();
  const date = parseDate(dateText.slice(0, 10), "ymd");
  if (!date) return { line, ok: false, message: `BookgDt ${excerpt(dateText)} is not an ISO date` };
  const counterparty = oneLine(indicator === "DBIT" ? e.creditor : e.debtor);
  const remittance = oneLine(e.ustrd.join(" "));
  const description = remittance ?? counterparty ?? oneLine(e.info);
  if (!description) return { line, ok: false, message: "no RmtInf/Ustrd, counterparty name or AddtlNtryInf to describe the entry" };
  const row: StatementRow = { occurred_at: date, amount: indicator === "DBIT" ? -magnitude : magnitude, description };
  if (counterparty) row.counterparty = counterparty;
  const ref = (e.acctSvcrRef ?? e.ntryRef)?.trim();
  if (ref) row.external_id = ref;
  return boundedRow(line, row, {
    description: remittance ? "RmtInf/Ustrd" : counterparty ? "counterparty Nm" : "AddtlNtryInf",
    counterparty: "counterparty Nm",
    external_id: e.acctSvcrRef ? "AcctSvcrRef" : "NtryRef",
  });
}
