/** Text helpers shared by categorisation, anomalies and recommendations. Pure, no I/O. */

/** Upper case, accents stripped, punctuation to spaces; digits kept. */
export function normalizeText(s: string): string {
  // NFD is the identity on ASCII, which most statement lines are: skip its cost there
  return (/[^\x00-\x7f]/.test(s) ? s.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : s)
    .toUpperCase()
    .replace(/['’`]/g, "") // MCDONALD'S -> MCDONALDS
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();
}

/** Words that say how money moved (card, direct debit, transfer prefixes), in both lists below. */
const MOVEMENT_WORDS = [
  "CB",
  "CARTE",
  "PRLV",
  "SEPA",
  "VIR",
  "PRELEVEMENT",
  "PAIEMENT",
  "PAR",
  "FACTURE",
  "INST",
  "RECU",
  "EMIS",
  "ECH",
  "REF",
  "MANDAT",
  "POS",
  "ACH",
  "DEBIT",
  "CREDIT",
  "CARD",
  "PURCHASE",
  "CHECKCARD",
  "VISA",
  "MASTERCARD",
  "RECURRING",
  "PMT",
  "SQ",
  "TST",
  "PAYPAL",
  "APPLE",
  "GOOGLE",
  "X",
  "DEBITCARD",
  "ELECTRONIC",
  "PREAUTHORIZED",
  "DE",
  "DU",
  "DES",
  "LA",
  "LE",
  "LES",
];

/** How money moved on a statement (card, direct debit, transfer prefixes), not who received it. */
export const BOILERPLATE = new Set([
  ...MOVEMENT_WORDS,
  "AUTHORIZED",
  "ON",
  "ID",
  "MOTIF",
  "S#",
  "T#",
  "X#",
  "N",
  "NO",
  "EUROPEEN",
  "ACHAT",
]);

/** Bank-statement boilerplate that says how money moved, not who received it; and filler words of merchant names. */
const NOISE = new Set([
  ...MOVEMENT_WORDS,
  "VIREMENT",
  "PAYMENT",
  "ONLINE",
  "WEB",
  "PAY",
  "WITHDRAWAL",
  "DEPOSIT",
  "FRANCE",
  "FR",
  "US",
  "USA",
  "THE",
  "AND",
  "ET",
  "STORE",
  "WWW",
  "COM",
  "NET",
  "FRS",
  "SAS",
  "SA",
  "INC",
  "LLC",
  "CO",
  "CORP",
  "SARL",
]);

/** Tokens with digits are store numbers, dates or references. */
const hasDigit = (t: string) => /\d/.test(t);

/**
 * A stable key for "the same merchant" across differently formatted lines:
 * the first two meaningful tokens ("CB CARREFOUR MARKET 12/03 PARIS" -> "CARREFOUR MARKET").
 */
export function merchantKey(description: string, counterparty?: string | null): string {
  const src = counterparty?.trim() ? counterparty : description;
  return merchantTokens(description, counterparty).slice(0, 2).join(" ") || normalizeText(src) || "?";
}

/** Every meaningful token of the counterparty (else the description): no boilerplate, nothing with a digit. */
export function merchantTokens(description: string, counterparty?: string | null): string[] {
  const src = counterparty?.trim() ? counterparty : description;
  return normalizeText(src)
    .split(" ")
    .filter((t) => t.length > 1 && !hasDigit(t) && !NOISE.has(t));
}

/** 32-bit FNV-1a: deterministic everywhere (no crypto needed, no platform differences). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Formats minor units as a major-unit string ("-1234" -> "-12.34"), for human reasons only; a bigint (an exact total) exactly. */
export function formatMinor(amount: number | bigint, decimals = 2): string {
  if (typeof amount === "bigint") {
    const abs = amount < 0n ? -amount : amount;
    const p = 10n ** BigInt(decimals);
    return `${amount < 0n ? "-" : ""}${decimals === 0 ? abs : `${abs / p}.${String(abs % p).padStart(decimals, "0")}`}`;
  }
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(Math.round(amount));
  if (decimals === 0) return sign + String(abs);
  const p = 10 ** decimals;
  return `${sign}${Math.floor(abs / p)}.${String(abs % p).padStart(decimals, "0")}`;
}
