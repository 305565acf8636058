import { MAX_AMOUNT, minorUnitExponent } from "#core";

/** The decimal mark a file uses where one value alone cannot tell (`1.234`: 1234 in Germany, 1.234 KWD elsewhere). */
export type DecimalMark = "." | ",";

// Currency symbols and codes banks write beside amounts ("$1,234.56", "1 234,56 €", "EUR -12,00").
const CURRENCY = /^(?:[A-Z]{3}|[$€£¥₣₤₹₩₽₺₪฿]|US\$|C\$|A\$|CHF|Fr\.?|kr|zł)/i;
const SPACES = /[\s\u00a0\u202f\u2007]/g;

/**
 * A bank's written amount as an integer of minor units, exactly (digit strings, never floats), or
 * null when it is not an amount. Reads signs written before or after (`-89,90`, `89,90-`, `(89.90)`),
 * `.` or `,` decimals and space (no-break ones too), `.`, `,` or `'` thousands separators; when one
 * separator alone is ambiguous, `mark` (the file's decimal mark) decides. More decimals than the
 * currency has are refused unless they are zeros (`12.500` EUR is 12.50; `12.5` JPY is refused).
 */
export function parseAmount(text: string, currency: string, mark?: DecimalMark): number | null {
  let s = text.replace(SPACES, "");
  let negative = false;
  if (/^\(.*\)$/.test(s)) (negative = true), (s = s.slice(1, -1));
  const sign = (t: string) => {
    if (t.startsWith("-") || t.startsWith("−")) return ((negative = !negative), t.slice(1));
    if (t.startsWith("+")) return t.slice(1);
    return t;
  };
  s = sign(s);
  const strip = (t: string) => t.replace(CURRENCY, "").replace(/(?:[A-Z]{3}|[$€£¥₹₩₽₺₪฿]|CHF)$/i, "");
  s = sign(strip(s));
  if (/[-−]$/.test(s)) (negative = !negative), (s = s.slice(0, -1));
  else if (s.endsWith("+")) s = s.slice(0, -1);
  s = strip(s);
  if (!/^\d[\d.,']*$/.test(s) || !/\d$/.test(s)) {
    if (!/^[.,]\d+$/.test(s)) return null;
    s = `0${s}`;
  }
  const lastDot = s.lastIndexOf(".");
  const lastComma = s.lastIndexOf(",");
  let decimal: string | undefined;
  if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? "." : ",";
  else {
    const sep = lastDot >= 0 ? "." : lastComma >= 0 ? "," : undefined;
    if (sep && s.indexOf(sep) === s.lastIndexOf(sep)) {
      const after = s.length - s.lastIndexOf(sep) - 1;
      // One separator: the file's mark if it is that one, else a decimal unless three digits follow it.
      decimal = sep === mark || (mark === undefined ? after !== 3 || minorUnitExponent(currency) === 3 : after !== 3) ? sep : undefined;
    }
  }
  const [whole, frac = "", extra] = decimal ? s.split(decimal) : [s];
  if (extra !== undefined) return null;
  const groups = whole.split(/[.,']/);
  // Thousands groups are three digits each (`12,34,56` is not an amount), the first one to three.
  if (groups.length > 1 && (groups[0].length > 3 || groups.slice(1).some((g) => g.length !== 3))) return null;
  if (/[.,']/.test(frac)) return null;
  const digits = groups.join("").replace(/^0+(?=\d)/, "");
  const exp = minorUnitExponent(currency);
  const kept = frac.slice(0, exp);
  if (/[^0]/.test(frac.slice(exp))) return null;
  if (digits.length > 16) return null;
  const value = Number(digits + kept.padEnd(exp, "0"));
  if (!Number.isSafeInteger(value) || value > MAX_AMOUNT) return null;
  return negative && value !== 0 ? -value : value;
}
