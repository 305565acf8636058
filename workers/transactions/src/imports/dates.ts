import { isIsoDate } from "#core";

/** The `?date_format=` values: the order a file writes day, month and year in. */
export const DATE_FORMATS = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];
export type DateOrder = "ymd" | "dmy" | "mdy";

export const orderOf = (f: DateFormat): DateOrder => (f === "YYYY-MM-DD" ? "ymd" : f === "MM/DD/YYYY" ? "mdy" : "dmy");

interface Parts {
  a: number;
  b: number;
  year: number;
  /** Written year first (2024-01-31): never ambiguous. */
  ymd: boolean;
  /** Written with dots (31.01.2024): day first wherever banks use them. */
  dotted: boolean;
}

// A date, optionally followed by a time ("01/02/2024 10:30", "2024-01-02T10:30:00Z"). QIF writes
// two-digit years after an apostrophe ("1/2'24") and pads with spaces ("1/ 2/24").
const YMD = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/;
const XYZ = /^(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*(?:[-/.']\s*)(\d{4}|\d{2})(?:[T ].*)?$/;

function parts(text: string): Parts | undefined {
  const t = text.trim();
  let m = YMD.exec(t);
  if (m) return { a: +m[2], b: +m[3], year: +m[1], ymd: true, dotted: false };
  m = XYZ.exec(t);
  if (!m) return undefined;
  const y = m[4].length === 2 ? 2000 + +m[4] : +m[4];
  return { a: +m[1], b: +m[3], year: y, ymd: false, dotted: m[2] === "." };
}

/** A date written year first (2024-02-01, 2024/02/01), which reads the same in every order. */
export const isYearFirst = (text: string) => YMD.test(text.trim());

const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;

/** The date as YYYY-MM-DD in `order` (a year-first or dotted date reads the same in any order), or undefined. */
export function parseDate(text: string, order: DateOrder | undefined): string | undefined {
  const p = parts(text);
  if (!p) return undefined;
  let out: string;
  if (p.ymd) out = iso(p.year, p.a, p.b);
  else if (p.dotted || order === "dmy" || order === "ymd") out = iso(p.year, p.b, p.a);
  else if (order === "mdy") out = iso(p.year, p.a, p.b);
  else return undefined;
  return isIsoDate(out) ? out : undefined;
}

/**
 * What a file's dates say about their order, gathered value by value: a first number over 12 can only
 * be a day, a second over 12 only a day in second place. `order()` is the file's order when its
 * dates settle it, "conflict" when they contradict each other, undefined when every date is ambiguous.
 */
export class DateEvidence {
  private dayFirst = false;
  private monthFirst = false;
  private ambiguous = false;

  see(text: string) {
    const p = parts(text);
    if (!p || p.ymd || p.dotted) return;
    if (p.a > 12 && p.b <= 12) this.dayFirst = true;
    else if (p.b > 12 && p.a <= 12) this.monthFirst = true;
    else if (p.a !== p.b) this.ambiguous = true;
  }

  order(): DateOrder | "conflict" | undefined {
    if (this.dayFirst && this.monthFirst) return "conflict";
    if (this.dayFirst) return "dmy";
    if (this.monthFirst) return "mdy";
    // 01/01/2024 or only year-first and dotted dates: any order reads them alike.
    return this.ambiguous ? undefined : "dmy";
  }
}

export const isDateFormat = (s: string): s is DateFormat => (DATE_FORMATS as readonly string[]).includes(s);
