import { ENTRY_TEXT_LIMITS } from "#core";
import { tooLongField } from "../ledger/rules";

export interface StatementRow {
  occurred_at: string;
  amount: number;
  description: string;
  category?: string;
  counterparty?: string;
  notes?: string;
  external_id?: string;
}

/** One parsed statement line, or the reason it cannot be imported; `line` is 1-based in the file. */
export type ParsedRow = { line: number; ok: true; row: StatementRow } | { line: number; ok: false; message: string };

/** The file is not what its Content-Type says (or not readable at all): 422, nothing imported. */
export class MalformedFile extends Error {}

/** What a caller asks of the reader, from the query string. */
export interface ReadOptions {
  currency: string;
  date_format?: string;
  /** `?columns=`: the file's columns in order (`-` skips one). */
  columns?: string[];
  /** With `columns`: the file still has a header row to skip. */
  header?: boolean;
}

/** A bank's text as one stored line: line breaks and runs of spaces (no-break ones too) become one space. */
export const oneLine = (s: string | undefined) => s?.replace(/[\s\u00a0\u202f]+/g, " ").trim() || undefined;

/** A quoted excerpt for an error message: bank text never comes back whole (a field may hold 1 MB). */
export const excerpt = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/**
 * A parsed row, or the row error naming the first field longer than the ledger stores (it is never
 * cut short: a silently truncated external_id could match another transaction).
 */
export function boundedRow(line: number, row: StatementRow, labels: Partial<Record<keyof StatementRow, string>> = {}): ParsedRow {
  const long = tooLongField(row);
  if (!long) return { line, ok: true, row };
  return {
    line,
    ok: false,
    message: `${labels[long as keyof StatementRow] ?? long} must be at most ${ENTRY_TEXT_LIMITS[long]} characters, got ${row[long as keyof StatementRow]?.toString().length}`,
  };
}
