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

/** Day of month of `day` by integer arithmetic (Hinnant's civil-from-days): the forecast calls it per day of history. */
export function fastDayOfMonth(day: number): number {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return doy - Math.floor((153 * mp + 2) / 5) + 1;
}

/** 0 = Sunday … 6 = Saturday, by arithmetic (1970-01-01 was a Thursday). */
export const fastDayOfWeek = (day: number): number => (((day + 4) % 7) + 7) % 7;
