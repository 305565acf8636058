/**
 * A parameter value as data, OpenFisca style: the value, the date from which it applies and the
 * law or official page that fixes it. Money values are integer cents, rates integer basis points.
 * For income-tax parameters `from` is the first day of the income year the value applies to.
 */
export interface Dated<T> {
  readonly from: string; // YYYY-MM-DD
  readonly value: T;
  readonly source: string;
}

/** One bracket of a progressive scale: `rate_bps` applies from `from` (cents) up to the next bracket. */
export interface ScaleBracket {
  readonly from: number;
  readonly rate_bps: number;
}

/** The value in force at `date` from a series sorted by `from`; `null` marks an abolished value. */
export function valueAt<T>(series: readonly Dated<T | null>[], date: string): Dated<T> | undefined {
  let found: Dated<T | null> | undefined;
  for (const d of series) if (d.from <= date) found = d;
  return found && found.value !== null ? (found as Dated<T>) : undefined;
}

/** Whole euros (or dollars) to cents, so parameter tables read like the law. */
export function cents(wholeUnits: number): number {
  if (!Number.isSafeInteger(wholeUnits)) throw new RangeError(`not a whole amount: ${wholeUnits}`);
  return wholeUnits * 100;
}
