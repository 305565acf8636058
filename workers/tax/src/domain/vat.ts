import { valueAt } from "./params/dated";
import { VAT_CLASSES, VAT_RATES, type VatClass } from "./params/vat";
import { q, roundHalfUp } from "./rational";
import { fail, ok, type FieldError, type Result, type VatResult } from "./types";
import { checkAmount, isIsoDate, isRecord } from "./validate";

const today = (): string => new Date().toISOString().slice(0, 10);

/** The rate in basis points for a country and class on a date, if that class exists then. */
export function vatRateAt(country: string, cls: VatClass, date: string): number | undefined {
  const series = VAT_RATES[country]?.rates[cls];
  return series ? valueAt(series, date)?.value : undefined;
}

/**
 * Net ↔ gross with integer arithmetic, rounded half-up to the minor unit.
 * From net: vat = round(net × r). From gross: net = round(gross / (1 + r)), vat = gross − net,
 * so net + vat = gross always holds.
 */
export function splitVat(amount: number, rateBps: number, amountIncludesVat: boolean): VatResult {
  const a = BigInt(amount);
  const r = BigInt(rateBps);
  if (amountIncludesVat) {
    const net = Number(roundHalfUp(q(a * 10_000n, 10_000n + r)));
    return { net, vat: amount - net, gross: amount, rate_bps: rateBps };
  }
  const vat = Number(roundHalfUp(q(a * r, 10_000n)));
  return { net: amount, vat, gross: amount + vat, rate_bps: rateBps };
}

export function computeVat(input: unknown): Result<VatResult> {
  if (!isRecord(input)) return fail([{ path: "", message: "body must be an object" }]);
  const errors: FieldError[] = [];
  const country = typeof input.country === "string" ? input.country.toUpperCase() : "";
  const cls = input.rate;
  const date = input.date === undefined ? today() : input.date;

  if (!VAT_RATES[country]) errors.push({ path: "country", message: `unknown country; known: ${Object.keys(VAT_RATES).join(", ")}` });
  if (!VAT_CLASSES.includes(cls as VatClass)) errors.push({ path: "rate", message: `must be one of ${VAT_CLASSES.join(", ")}` });
  if (!isIsoDate(date)) errors.push({ path: "date", message: "must be a date YYYY-MM-DD" });
  checkAmount(input.amount, "amount", errors);
  if (typeof input.amount_includes_vat !== "boolean") errors.push({ path: "amount_includes_vat", message: "must be a boolean" });
  if (errors.length) return fail(errors);

  const rateBps = vatRateAt(country, cls as VatClass, date as string);
  if (rateBps === undefined) {
    return fail([{ path: "rate", message: `${country} has no ${String(cls)} VAT rate on ${String(date)}` }]);
  }
  return ok(splitVat(input.amount as number, rateBps, input.amount_includes_vat as boolean));
}

export interface VatRateRow {
  country: string;
  name: string;
  rate: VatClass;
  rate_bps: number;
  from: string;
  to: string | null; // last day in force, null if current
  source: string;
}

/** Every known rate with its validity period, or only those in force on `date`. */
export function vatRates(date?: string): VatRateRow[] {
  const rows: VatRateRow[] = [];
  for (const [country, { name, rates }] of Object.entries(VAT_RATES)) {
    for (const cls of VAT_CLASSES) {
      const series = rates[cls] ?? [];
      series.forEach((d, i) => {
        if (d.value === null) return;
        const next = series[i + 1];
        const to = next ? dayBefore(next.from) : null;
        if (date === undefined || (d.from <= date && (to === null || date <= to))) {
          rows.push({ country, name, rate: cls, rate_bps: d.value, from: d.from, to, source: d.source });
        }
      });
    }
  }
  return rows;
}

function dayBefore(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
