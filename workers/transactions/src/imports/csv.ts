import { parse } from "csv-parse/stream";
import { parseAmount, type DecimalMark } from "./amounts";
import { DateEvidence, isDateFormat, isYearFirst, orderOf, parseDate, type DateOrder } from "./dates";
import { MalformedFile, boundedRow, excerpt, oneLine, type ParsedRow, type ReadOptions, type StatementRow } from "./rows";

/** What a column of a bank statement holds. */
export type Role = "date" | "amount" | "debit" | "credit" | "description" | "category" | "counterparty" | "external_id" | "notes";
export const ROLES: readonly Role[] = [
  "date",
  "amount",
  "debit",
  "credit",
  "description",
  "category",
  "counterparty",
  "external_id",
  "notes",
];

/**
 * Header names banks write, in English, French and German, normalised (lower case, no accents, no
 * "(EUR)" suffix). Earlier names win: "Date opération" over "Date de valeur", "Verwendungszweck"
 * over "Buchungstext".
 */
const NAMES: Record<Role, string[]> = {
  date: [
    "date",
    "transaction date",
    "posting date",
    "posted date",
    "booking date",
    "trans date",
    "date operation",
    "date de l operation",
    "date de l'operation",
    "date comptable",
    "date de comptabilisation",
    "buchungstag",
    "buchungsdatum",
    "datum",
    "value date",
    "date valeur",
    "date de valeur",
    "valuta",
    "valutadatum",
    "wertstellung",
  ],
  amount: ["amount", "transaction amount", "value", "montant", "montant de l operation", "betrag", "umsatz", "amount in", "net amount"],
  debit: [
    "debit",
    "debit amount",
    "debits",
    "paid out",
    "money out",
    "withdrawal",
    "withdrawals",
    "montant debit",
    "soll",
    "ausgang",
    "belastung",
  ],
  credit: [
    "credit",
    "credit amount",
    "credits",
    "paid in",
    "money in",
    "deposit",
    "deposits",
    "montant credit",
    "haben",
    "eingang",
    "gutschrift",
  ],
  description: [
    "description",
    "transaction description",
    "libelle",
    "libelle operation",
    "libelle de l operation",
    "libelle simplifie",
    "verwendungszweck",
    "details",
    "narrative",
    "memo",
    "label",
    "buchungstext",
    "reference",
    "name",
    "payee",
  ],
  category: ["category", "categorie", "kategorie"],
  counterparty: [
    "counterparty",
    "payee",
    "beneficiary",
    "beneficiaire",
    "tiers",
    "merchant",
    "name",
    "begunstigter/zahlungspflichtiger",
    "auftraggeber/begunstigter",
    "auftraggeber/empfanger",
    "empfanger",
    "zahlungsempfanger",
    "name zahlungsbeteiligter",
  ],
  external_id: ["external_id", "external id", "transaction id", "transaction_id", "id", "fitid"],
  notes: ["notes", "note", "commentaire", "notiz"],
};
/** Header names only French or German banks write: their dates are day first. */
const DAY_FIRST_NAMES = new Set(
  [
    "date operation",
    "date de l operation",
    "date de l'operation",
    "date comptable",
    "date de comptabilisation",
    "date valeur",
    "date de valeur",
    "libelle",
    "libelle operation",
    "libelle de l operation",
    "libelle simplifie",
    "montant",
    "montant de l operation",
    "montant debit",
    "montant credit",
    "debit",
    "credit",
    "buchungstag",
    "buchungsdatum",
    "datum",
    "valuta",
    "valutadatum",
    "wertstellung",
    "betrag",
    "umsatz",
    "verwendungszweck",
    "buchungstext",
    "soll",
    "haben",
    "categorie",
    "kategorie",
    "beneficiaire",
    "tiers",
  ].filter((n) => !["debit", "credit"].includes(n)),
);

export const normaliseHeader = (h: string) =>
  h
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/\(.*?\)/g, "")
    .replace(/[\s\u00a0_.:]+/g, " ")
    .replace(/\s*\/\s*/g, "/")
    .trim()
    .toLowerCase()
    .replace(/ (en |in )?(eur|euro|euros|usd|gbp|chf|€|\$|£)$/, "");

/** Column index of each role a header row names, or undefined when it names no date and no amount. */
export function headerColumns(fields: string[]): Partial<Record<Role, number>> | undefined {
  const names = fields.map(normaliseHeader);
  const out: Partial<Record<Role, number>> = {};
  const taken = new Set<number>();
  for (const role of ROLES) {
    for (const name of NAMES[role]) {
      const i = names.findIndex((n, j) => n === name && !taken.has(j));
      if (i >= 0) {
        out[role] = i;
        taken.add(i);
        break;
      }
    }
  }
  if (out.date === undefined || (out.amount === undefined && out.debit === undefined && out.credit === undefined)) return undefined;
  return out;
}

/** How a CSV file is read, settled by its first pass. */
export interface CsvPlan {
  delimiter: string;
  /** The header row's (last) physical line; 0 without one. Records up to it are preamble. */
  headerLine: number;
  columns: Partial<Record<Role, number>>;
  width: number;
  order: DateOrder;
  mark?: DecimalMark;
}

export interface CsvRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  fields: string[];
}

const DELIMITERS = [";", ",", "\t"];

/**
 * The records of the text (RFC 4180: quoted fields hold delimiters, `""` and line breaks), parsed by
 * csv-parse as the text streams in, each with the physical line it starts on.
 */
export async function* records(text: AsyncIterable<string>, delimiter: string): AsyncGenerator<CsvRecord> {
  const parser = parse({
    delimiter,
    record_delimiter: "\n",
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    bom: true,
  });
  const encoder = new TextEncoder();
  const source = text[Symbol.asyncIterator]();
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await source.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await source.return?.();
    },
  });
  const piping = input.pipeTo(parser.writable).catch(() => {});
  const reader = (parser.readable as ReadableStream<{ record: string[]; info: { lines: number } }>).getReader();
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<{ record: string[]; info: { lines: number } }>;
      try {
        next = await reader.read();
      } catch (e) {
        const err = e as { code?: string; lines?: number; message?: string };
        if (err.code === "CSV_QUOTE_NOT_CLOSED")
          throw new MalformedFile(`A quoted field is never closed (the file ends inside quotes opened before line ${err.lines ?? "?"}).`);
        throw new MalformedFile(`The file is not readable as CSV: ${String(err.message ?? e).slice(0, 200)}`);
      }
      if (next.done) {
        finished = true;
        break;
      }
      const { record, info } = next.value;
      let inner = 0;
      for (const f of record) for (let i = f.indexOf("\n"); i >= 0; i = f.indexOf("\n", i + 1)) inner++;
      yield { line: info.lines - inner, fields: record };
    }
  } catch (e) {
    finished = true;
    throw e;
  } finally {
    // A reader that stops early (the dialect sample) cancels the parse, which stops the input too.
    if (!finished) await reader.cancel().catch(() => {});
    await piping;
  }
}

async function* prefix(text: AsyncIterable<string>, chars: number): AsyncGenerator<string> {
  let n = 0;
  for await (const s of text) {
    yield s;
    if ((n += s.length) >= chars) return;
  }
}

/** The records of the file's first 64 KiB with `delimiter` (a record cut off at the end is dropped). */
async function sample(text: () => AsyncIterable<string>, delimiter: string, limit = 60): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  try {
    for await (const r of records(prefix(text(), 64 * 1024), delimiter)) if (out.push(r) >= limit) break;
  } catch (e) {
    if (!(e instanceof MalformedFile)) throw e;
  }
  return out;
}

/**
 * The file's delimiter and header: with a header, the first record naming a date and an amount column
 * (preamble above it skipped), trying `;`, `,` and tab; with `?columns=`, the delimiter that splits the
 * first record into that many fields.
 */
async function dialect(
  text: () => AsyncIterable<string>,
  options: ReadOptions,
): Promise<Omit<CsvPlan, "order"> & { dayFirstHeader: boolean }> {
  let best: (Omit<CsvPlan, "order"> & { dayFirstHeader: boolean; index: number; score: number }) | undefined;
  for (const delimiter of DELIMITERS) {
    const rows = await sample(text, delimiter);
    if (options.columns) {
      const cols = options.columns;
      const first = rows.find((r) => r.fields.some((f) => f.trim()));
      if (!first) continue;
      const score = first.fields.length === cols.length ? 2 : first.fields.length > cols.length ? 1 : 0;
      if (!best || score > best.score) {
        const columns: Partial<Record<Role, number>> = {};
        cols.forEach((c, i) => c !== "-" && (columns[c as Role] = i));
        best = {
          delimiter,
          headerLine: options.header ? first.line : 0,
          columns,
          width: cols.length,
          dayFirstHeader: false,
          index: 0,
          score,
        };
      }
      continue;
    }
    rows.forEach((r, index) => {
      if (best && best.index <= index) return;
      const columns = headerColumns(r.fields);
      if (!columns) return;
      const line = r.line + r.fields.reduce((n, f) => n + (f.split("\n").length - 1), 0);
      const dayFirstHeader = r.fields.some((f) => DAY_FIRST_NAMES.has(normaliseHeader(f)));
      if (!best || index < best.index || (index === best.index && Object.keys(columns).length > best.score))
        best = { delimiter, headerLine: line, columns, width: r.fields.length, dayFirstHeader, index, score: Object.keys(columns).length };
    });
  }
  if (!best) {
    const any = (await sample(text, ",", 1)).length > 0;
    if (!any) throw new MalformedFile("The file is empty.");
    if (options.columns) throw new MalformedFile("The file has no record to read.");
    throw new MalformedFile(
      "No header row found: the header is the first line naming a date column and an amount (or debit and credit) column, e.g. date,amount,description; or name the columns with ?columns=date,amount,description.",
    );
  }
  if (best.columns.description === undefined)
    throw new MalformedFile(
      `The header row (line ${best.headerLine}) names no description column (e.g. description, Libellé, Verwendungszweck).`,
    );
  const { index: _i, score: _s, ...plan } = best;
  return plan;
}

/** Thrown when the file's dates do not say whether the day or the month comes first. */
export class AmbiguousDates extends Error {}

/**
 * First pass: the dialect, then every record read once (unclosed quotes make the file malformed) to
 * settle the date order — from `?date_format=`, else from any day over 12, else from a French or
 * German header (their banks write the day first); a file that still cannot tell is AmbiguousDates.
 */
export async function planCsv(text: () => AsyncIterable<string>, options: ReadOptions): Promise<CsvPlan> {
  const d = await dialect(text, options);
  const { dayFirstHeader, ...plan } = d;
  const mark: DecimalMark | undefined = plan.delimiter === ";" ? "," : plan.delimiter === "," ? "." : undefined;
  const evidence = new DateEvidence();
  const dateAt = plan.columns.date!;
  for await (const r of records(text(), plan.delimiter))
    if (r.line > plan.headerLine && r.fields[dateAt] !== undefined) evidence.see(r.fields[dateAt]);
  if (options.date_format && isDateFormat(options.date_format)) return { ...plan, mark, order: orderOf(options.date_format) };
  const order = evidence.order();
  if (order === "conflict")
    throw new AmbiguousDates(
      "The file's dates put the day first in some rows and the month first in others: say which with ?date_format=DD/MM/YYYY or ?date_format=MM/DD/YYYY.",
    );
  if (order) return { ...plan, mark, order };
  if (dayFirstHeader) return { ...plan, mark, order: "dmy" };
  throw new AmbiguousDates(
    "The file's dates read both ways (no day is over 12): say which with ?date_format=DD/MM/YYYY or ?date_format=MM/DD/YYYY.",
  );
}

const ORDER_TEXT: Record<DateOrder, string> = { ymd: "YYYY-MM-DD", dmy: "DD/MM/YYYY", mdy: "MM/DD/YYYY" };

/** The row a record is, under the plan. */
export function csvRow(r: CsvRecord, plan: CsvPlan, currency: string): ParsedRow | undefined {
  const { fields, line } = r;
  if (fields.every((f) => !f.trim())) return undefined;
  const at = (role: Role) => {
    const i = plan.columns[role];
    const v = i === undefined ? undefined : fields[i]?.trim();
    return v ? v : undefined;
  };
  const extra = fields.slice(plan.width).some((f) => f.trim());
  const needed = Math.max(...Object.values(plan.columns).map((i) => i!)) + 1;
  if (extra || fields.length < needed)
    return {
      line,
      ok: false,
      message: `expected ${plan.width} fields, got ${fields.length}${plan.delimiter === "," ? " (an amount with a decimal comma must be quoted in a comma-separated file)" : ""}`,
    };
  const dateText = at("date") ?? "";
  const date = parseDate(dateText, plan.order);
  // A year-first date reads as YYYY-MM-DD whatever the file's order: the message names the form it was read in.
  const form = ORDER_TEXT[isYearFirst(dateText) ? "ymd" : plan.order];
  if (!date) return { line, ok: false, message: `date ${excerpt(dateText)} is not a date in ${form}` };
  let amount: number | null;
  if (plan.columns.amount !== undefined) {
    const text = at("amount") ?? "";
    amount = parseAmount(text, currency, plan.mark);
    if (amount === null || amount === 0)
      return { line, ok: false, message: `amount ${excerpt(text)} is not a non-zero ${currency} amount` };
  } else {
    // Debit and credit columns: a debit is money out whether the bank writes 89,90 or -89,90.
    const debitText = at("debit");
    const creditText = at("credit");
    const debit = debitText === undefined ? 0 : parseAmount(debitText, currency, plan.mark);
    const credit = creditText === undefined ? 0 : parseAmount(creditText, currency, plan.mark);
    if (debit === null) return { line, ok: false, message: `debit ${excerpt(debitText!)} is not a ${currency} amount` };
    if (credit === null) return { line, ok: false, message: `credit ${excerpt(creditText!)} is not a ${currency} amount` };
    if (debit && credit) return { line, ok: false, message: "both debit and credit are filled in" };
    amount = debit ? -Math.abs(debit) : Math.abs(credit);
    if (!amount) return { line, ok: false, message: "neither debit nor credit holds a non-zero amount" };
  }
  const description = oneLine(at("description"));
  if (!description) return { line, ok: false, message: "description is required" };
  const row: StatementRow = { occurred_at: date, amount, description };
  const category = oneLine(at("category"));
  const counterparty = plan.columns.counterparty !== plan.columns.description ? oneLine(at("counterparty")) : undefined;
  const external_id = at("external_id");
  const notes = at("notes");
  if (category) row.category = category;
  if (counterparty) row.counterparty = counterparty;
  if (external_id) row.external_id = external_id;
  if (notes) row.notes = notes;
  return boundedRow(line, row);
}

/** Second pass: the rows of the file, under the plan of the first. */
export async function* csvRows(text: AsyncIterable<string>, plan: CsvPlan, currency: string): AsyncGenerator<ParsedRow> {
  for await (const r of records(text, plan.delimiter)) {
    if (r.line <= plan.headerLine) continue;
    const row = csvRow(r, plan, currency);
    if (row) yield row;
  }
}
