import { readerFor, type Format } from "./formats";
import type { ParsedRow, ReadOptions } from "./rows";

/** The rows a file reads as, through both passes, from bytes split into small chunks (as a request streams). */
export async function read(format: Format, file: string | Uint8Array, options: Partial<ReadOptions> = {}, chunk = 7): Promise<ParsedRow[]> {
  const bytes = typeof file === "string" ? new TextEncoder().encode(file) : file;
  const body: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunk) body.push(bytes.subarray(i, i + chunk));
  const out: ParsedRow[] = [];
  for await (const r of await readerFor(format)(body, { currency: "EUR", ...options })) out.push(r);
  return out;
}

export const summary = (rows: ParsedRow[]) =>
  rows.map((r) => (r.ok ? [r.line, r.row.occurred_at, r.row.amount, r.row.description] : [r.line, r.message]));
