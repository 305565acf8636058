/** UTC calendar helpers on 'YYYY-MM-DD' strings: day numbers avoid time-zone drift. */
const DAY = 86_400_000;

export function toDay(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) throw new Error(`bad date ${date}`);
  return Math.floor(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) / DAY);
}

export function fromDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday */
export const dayOfWeek = (day: number): number => new Date(day * DAY).getUTCDay();
export const dayOfMonth = (day: number): number => new Date(day * DAY).getUTCDate();
export const monthIndex = (day: number): number => {
  const d = new Date(day * DAY);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
export function daysInMonth(day: number): number {
  const d = new Date(day * DAY);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

/** Same day of month `k` months earlier (clamped to month end). */
export function addMonths(day: number, k: number): number {
  const d = new Date(day * DAY);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + k;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.floor(Date.UTC(y, m, Math.min(d.getUTCDate(), last)) / DAY);
}
