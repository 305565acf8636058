import { z } from "@hono/zod-openapi";

/** Largest magnitude accepted for any amount: 10^13 minor units (well inside 2^53). */
export const MAX_AMOUNT = 10_000_000_000_000;

/** ISO 4217 minor-unit exponents that differ from 2 (List One, current codes). */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};
/** Current ISO 4217 currency codes (funds and precious metals excluded, except the fund codes above). */
const CURRENCIES = new Set(
  (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY " +
    "COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS " +
    "INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR " +
    "MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD " +
    "SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG " +
    Object.keys(EXPONENTS).join(" ")
  ).split(" "),
);

export const isCurrency = (code: string) => CURRENCIES.has(code);
export const minorUnitExponent = (currency: string) => EXPONENTS[currency] ?? 2;

export const currencySchema = z.string().refine(isCurrency, "must be a supported ISO 4217 code in upper case").openapi({ example: "EUR" });

export const amountSchema = z
  .number()
  .int("must be an integer number of minor units")
  .min(-MAX_AMOUNT)
  .max(MAX_AMOUNT)
  .openapi({ example: 1250, description: "integer amount in the currency's minor unit" });

/**
 * A money total (a sum over any number of rows) in a response. Totals are exact at any size: past
 * ±(2^53 − 1) they are still written as plain JSON integer digits (`exactJson`), so no bound is declared.
 */
export const totalSchema = (description: string) =>
  z
    .number()
    .int()
    .openapi({
      description: `${description}. Exact integer minor units at any size: beyond ±(2^53 − 1) written as plain JSON integer digits, so read it with a parser that keeps big integers.`,
    });

/** "12.50" → 1250 for a 2-decimal currency, exactly, without floats. Returns null when malformed. */
export function parseMajorUnits(text: string, currency: string): number | null {
  const m = /^([+-])?(\d{1,13})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const exp = minorUnitExponent(currency);
  const frac = m[3] ?? "";
  if (frac.length > exp) return null;
  const value = Number(m[2]) * 10 ** exp + Number(frac.padEnd(exp, "0") || "0");
  if (value > MAX_AMOUNT) return null;
  return m[1] === "-" ? -value : value;
}
