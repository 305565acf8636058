import { ENTRY_TEXT_LIMITS, isIsoDate, parseMajorUnits } from "../../../core/src";
import { tooLongField } from "../ledger/rules";

/** One parsed statement line, or the reason it cannot be imported; `line` is 1-based in the file. */
export type ParsedRow =
  | { line: number; ok: true; row: { occurred_at: string; amount: number; description: string; category?: string; counterparty?: string; external_id?: string } }
  | { line: number; ok: false; message: string };

export class MalformedFile extends Error {}

type Row = Extract<ParsedRow, { ok: true }>["row"];

/**
 * A parsed row, or the row error naming the first field longer than the ledger stores (it is never
 * cut short: a silently truncated external_id could match another transaction).
 */
export function boundedRow(line: number, row: Row, labels: Partial<Record<keyof Row, string>> = {}): ParsedRow {
  const long = tooLongField(row);
  if (!long) return { line, ok: true, row };
  return { line, ok: false, message: `${labels[long as keyof Row] ?? long} must be at most ${ENTRY_TEXT_LIMITS[long]} characters, got ${row[long as keyof Row]?.toString().length}` };
}

/** RFC 4180 fields of one line (quotes, doubled quotes, commas inside quotes). */
export function splitCsvLine(text: string): string[] | null {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') field += '"', i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") out.push(field), (field = "");
    else field += ch;
  }
  if (quoted) return null;
  out.push(field);
  return out.map((f) => f.trim());
}

const REQUIRED = ["date", "amount", "description"] as const;

/** CSV with a header row (`date,amount,description` + optional `category,counterparty,external_id`). */
export async function* parseCsv(lines: AsyncIterable<string>, currency: string): AsyncGenerator<ParsedRow> {
  let columns: string[] | undefined;
  let n = 0;
  for await (const text of lines) {
    n++;
    if (!columns) {
      const header = splitCsvLine(text.replace(/^\uFEFF/, ""))?.map((h) => h.toLowerCase());
      const missing = REQUIRED.filter((c) => !header?.includes(c));
      if (!header || missing.length) throw new MalformedFile(`The header row lacks ${missing.join(", ") || "valid columns"}.`);
      columns = header;
      continue;
    }
    if (!text.trim()) continue;
    const fields = splitCsvLine(text);
    if (!fields) {
      yield { line: n, ok: false, message: "unterminated quoted field" };
      continue;
    }
    const get = (name: string) => {
      const i = columns!.indexOf(name);
      return i >= 0 && fields[i] ? fields[i] : undefined;
    };
    const date = get("date") ?? "";
    const amount = parseMajorUnits(get("amount") ?? "", currency);
    const description = get("description") ?? "";
    if (!isIsoDate(date)) yield { line: n, ok: false, message: `date must be YYYY-MM-DD, got "${date.slice(0, 40)}"` };
    else if (amount === null || amount === 0) yield { line: n, ok: false, message: `amount must be a non-zero number in major units with "." decimals, got "${(get("amount") ?? "").slice(0, 40)}"` };
    else if (!description) yield { line: n, ok: false, message: "description is required" };
    else yield boundedRow(n, { occurred_at: date, amount, description, category: get("category"), counterparty: get("counterparty"), external_id: get("external_id") });
  }
  if (!columns) throw new MalformedFile("The file is empty: a header row is required.");
}
