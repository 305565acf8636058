const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date written YYYY-MM-DD, years 0001–9999 (2026-02-30 is not). */
export function isIsoDate(s: string): boolean {
  if (!DATE.test(s) || s.startsWith("0000")) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s);
}
