import type { ImportFormat } from "#core";
import { camtRows } from "./camt";
import { ROLES, csvRows, planCsv } from "./csv";
import { decodeText, detectEncoding, xmlEncoding, type Body } from "./decode";
import { linesOf } from "./lines";
import { parseOfx } from "./ofx";
import { planQif, qifRows } from "./qif";
import type { ParsedRow, ReadOptions } from "./rows";

export type Format = ImportFormat;

/** The names `?columns=` accepts. */
export const COLUMN_NAMES: readonly string[] = ROLES;

const TYPES: Record<string, Format> = {
  "text/csv": "csv",
  "application/csv": "csv",
  "text/comma-separated-values": "csv",
  "application/x-ofx": "ofx",
  "application/ofx": "ofx",
  "application/qif": "qif",
  "application/x-qif": "qif",
  "application/xml": "camt.053",
  "text/xml": "camt.053",
  "application/vnd.iso20022.camt.053+xml": "camt.053",
};

/** The statement format a Content-Type names, if it names one. */
export const formatOf = (contentType: string | undefined): Format | undefined =>
  TYPES[(contentType ?? "").split(";")[0].trim().toLowerCase()];

/** Reads every row to the end, keeping none: a MalformedFile anywhere in the file surfaces here. */
async function drain(rows: AsyncIterable<ParsedRow>) {
  for await (const _ of rows);
}

/**
 * The reader of a format: a first pass over the whole file (which throws MalformedFile, or
 * AmbiguousDates, before anything is written), then the rows of a second pass, decoded again from
 * the same bytes — the file is held once, as bytes, and never whole as text.
 */
export function readerFor(format: Format): (body: Body, options: ReadOptions) => Promise<AsyncGenerator<ParsedRow>> {
  switch (format) {
    case "csv":
      return async (body, options) => {
        const encoding = detectEncoding(body);
        const text = () => decodeText(body, encoding);
        const plan = await planCsv(text, options);
        return csvRows(text(), plan, options.currency);
      };
    case "qif":
      return async (body, options) => {
        const encoding = detectEncoding(body);
        const text = () => decodeText(body, encoding);
        const plan = await planQif(text, options);
        return qifRows(text(), plan, options.currency);
      };
    case "ofx":
      return async (body, options) => {
        const encoding = detectEncoding(body);
        const rows = () => parseOfx(linesOf(decodeText(body, encoding)), options.currency);
        await drain(rows());
        return rows();
      };
    case "camt.053":
      return async (body, options) => {
        const encoding = xmlEncoding(body);
        const rows = () => camtRows(decodeText(body, encoding, true), options.currency);
        await drain(rows());
        return rows();
      };
  }
}
