import { parseAmount } from "./amounts";
import { DateEvidence, isDateFormat, orderOf, parseDate, type DateOrder } from "./dates";
import { AmbiguousDates } from "./csv";
import { linesOf } from "./lines";
import { MalformedFile, boundedRow, excerpt, oneLine, type ParsedRow, type ReadOptions, type StatementRow } from "./rows";

/** Account types whose records are plain transactions (investment and list sections are not). */
const CASH_TYPES = new Set(["bank", "ccard", "cash", "oth a", "oth l"]);

interface QifRecord {
  line: number;
  fields: Map<string, string>;
}

/**
 * The transaction records of a QIF file: `!Type:Bank` (or CCard, Cash, Oth A, Oth L) sections, each
 * record one line per field (D date, T or U amount, P payee, M memo, N number, L category, …) ended
 * by `^`. `!Account` blocks and list sections (categories, classes, memorised) are skipped.
 */
async function* qifRecords(text: AsyncIterable<string>): AsyncGenerator<QifRecord> {
  let n = 0;
  let section: "cash" | "skip" | undefined;
  let current: QifRecord | undefined;
  for await (const raw of linesOf(text)) {
    n++;
    const line = raw.replace(/^\uFEFF/, "").trimEnd();
    if (!line.trim()) continue;
    if (line.startsWith("!")) {
      const header = line.slice(1).trim().toLowerCase();
      if (header.startsWith("type:")) {
        const type = header.slice(5).trim();
        if (type === "invst")
          throw new MalformedFile(`Line ${n}: investment accounts (!Type:Invst) are not imported; export the cash account as !Type:Bank.`);
        section = CASH_TYPES.has(type) ? "cash" : "skip";
      } else if (header === "account") section = "skip";
      else if (!header.startsWith("option") && !header.startsWith("clear"))
        throw new MalformedFile(`Line ${n}: unknown QIF header ${excerpt(line)}.`);
      current = undefined;
      continue;
    }
    if (!section) throw new MalformedFile("Not a QIF file: it does not start with a !Type: header (e.g. !Type:Bank).");
    if (line.startsWith("^")) {
      if (section === "cash" && current) yield current;
      current = undefined;
      continue;
    }
    if (section !== "cash") continue;
    current ??= { line: n, fields: new Map() };
    const code = line[0];
    // Split lines (S, E, $) detail a total already in T: the entry is the total.
    if ("SE$".includes(code)) continue;
    if (!current.fields.has(code)) current.fields.set(code, line.slice(1));
  }
  if (!section) throw new MalformedFile("The file is empty or not QIF.");
  if (current) yield current; // a last record without its ^
}

export interface QifPlan {
  order: DateOrder;
}

/** First pass: every record read (the file must be QIF throughout) and the date order settled. */
export async function planQif(text: () => AsyncIterable<string>, options: ReadOptions): Promise<QifPlan> {
  const evidence = new DateEvidence();
  let apostrophe = false;
  for await (const r of qifRecords(text())) {
    const d = r.fields.get("D");
    if (d === undefined) continue;
    evidence.see(d);
    if (d.includes("'")) apostrophe = true;
  }
  if (options.date_format && isDateFormat(options.date_format)) return { order: orderOf(options.date_format) };
  const order = evidence.order();
  if (order === "conflict")
    throw new AmbiguousDates(
      "The file's dates put the day first in some records and the month first in others: say which with ?date_format=.",
    );
  if (order) return { order };
  // Quicken writes month first, with an apostrophe before a two-digit year (1/31'24).
  if (apostrophe) return { order: "mdy" };
  throw new AmbiguousDates(
    "The file's dates read both ways (no day is over 12): say which with ?date_format=DD/MM/YYYY or ?date_format=MM/DD/YYYY.",
  );
}

export async function* qifRows(text: AsyncIterable<string>, plan: QifPlan, currency: string): AsyncGenerator<ParsedRow> {
  for await (const { line, fields } of qifRecords(text)) {
    const dateText = fields.get("D") ?? "";
    const date = parseDate(dateText, plan.order);
    if (!date) {
      yield { line, ok: false, message: `D ${excerpt(dateText)} is not a date` };
      continue;
    }
    const amountText = (fields.get("T") ?? fields.get("U") ?? "").trim();
    const amount = parseAmount(amountText, currency);
    if (amount === null || amount === 0) {
      yield { line, ok: false, message: `T ${excerpt(amountText)} is not a non-zero ${currency} amount` };
      continue;
    }
    const payee = oneLine(fields.get("P"));
    const memo = oneLine(fields.get("M"));
    const description = payee ?? memo;
    if (!description) {
      yield { line, ok: false, message: "P (payee) or M (memo) is required" };
      continue;
    }
    const row: StatementRow = { occurred_at: date, amount, description };
    if (payee && memo) row.notes = memo;
    yield boundedRow(line, row, { description: payee ? "P" : "M", notes: "M" });
  }
}
