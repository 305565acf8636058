import { isIsoDate, parseMajorUnits } from "../../../core/src";

/** One parsed statement line, or the reason it cannot be imported; `line` is 1-based in the file. */
export type ParsedRow =
  | { line: number; ok: true; row: { occurred_at: string; amount: number; description: string; category?: string; counterparty?: string; external_id?: string } }
  | { line: number; ok: false; message: string };

export class MalformedFile extends Error {}

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
    else if (!description || description.length > 500) yield { line: n, ok: false, message: "description must be 1–500 characters" };
    else
      yield {
        line: n,
        ok: true,
        row: { occurred_at: date, amount, description, category: get("category"), counterparty: get("counterparty")?.slice(0, 200), external_id: get("external_id")?.slice(0, 200) },
      };
  }
  if (!columns) throw new MalformedFile("The file is empty: a header row is required.");
}
