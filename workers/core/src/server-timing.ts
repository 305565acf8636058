/**
 * Server-Timing (W3C) as this platform writes it: `total;dur=<ms>` for the worker's own time, and
 * `d1;dur=<ms>;desc="<n>"` / `do;dur=<ms>;desc="<n>"` for the D1 statements and Durable Object calls
 * made on the request's path. A worker that calls another merges the callee's d1 and do entries into
 * its own (counts and durations add up); an absent entry means zero. Pure functions only: the binding
 * instrumentation that fills these counters is in instrument.ts.
 */

export interface Usage {
  count: number;
  dur: number; // milliseconds, summed over the calls (parallel calls add up)
}
export interface Timings {
  d1: Usage;
  do: Usage;
}
export type TimingName = keyof Timings;
const NAMES: readonly TimingName[] = ["d1", "do"];

export const newTimings = (): Timings => ({ d1: { count: 0, dur: 0 }, do: { count: 0, dur: 0 } });

export interface TimingEntry {
  name: string;
  dur?: number;
  desc?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Splits on `sep` outside quoted strings (a quoted string may hold commas, semicolons and \" escapes). */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, "$1") : v);

/** The entries of a Server-Timing header value; malformed entries and parameters are skipped. */
export function parseServerTiming(value: string | null | undefined): TimingEntry[] {
  if (!value) return [];
  const out: TimingEntry[] = [];
  for (const raw of splitOutsideQuotes(value, ",")) {
    const [head, ...params] = splitOutsideQuotes(raw, ";").map((p) => p.trim());
    if (!head || !TOKEN.test(head)) continue;
    const entry: TimingEntry = { name: head };
    for (const p of params) {
      const eq = p.indexOf("=");
      const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
      const val = eq < 0 ? "" : unquote(p.slice(eq + 1).trim());
      // The first occurrence of a parameter counts (as the W3C processing model says).
      if (key === "dur" && entry.dur === undefined) {
        const n = Number(val);
        if (val !== "" && Number.isFinite(n) && n >= 0) entry.dur = n;
      } else if (key === "desc" && entry.desc === undefined) entry.desc = val;
    }
    out.push(entry);
  }
  return out;
}

/**
 * Adds a callee's d1 and do entries to `into`. An entry counts only with a whole, non-negative `desc`
 * (the number of calls); its duration is added when present. Other entries (its `total`) are ignored:
 * the caller's own total already covers the call.
 */
export function mergeTimings(into: Timings, entries: readonly TimingEntry[]): Timings {
  for (const e of entries) {
    if (!(NAMES as readonly string[]).includes(e.name) || e.desc === undefined || !/^\d{1,9}$/.test(e.desc)) continue;
    const usage = into[e.name as TimingName];
    usage.count += Number(e.desc);
    usage.dur += e.dur ?? 0;
  }
  return into;
}

const ms = (n: number) => String(Math.round(Math.max(0, n) * 10) / 10);

/** The header value: `total`, then `d1` and `do` when they were used. */
export function formatServerTiming(totalMs: number, t: Timings): string {
  let out = `total;dur=${ms(totalMs)}`;
  for (const name of NAMES) if (t[name].count > 0) out += `, ${name};dur=${ms(t[name].dur)};desc="${t[name].count}"`;
  return out;
}

/** An answer's Server-Timing by entry name: `dur`, and `n` the whole number in `desc` (a count of calls); for readers of answers (tests, tools). */
export function serverTimingByName(value: string | null | undefined): Record<string, { dur?: number; n?: number }> {
  const out: Record<string, { dur?: number; n?: number }> = {};
  for (const e of parseServerTiming(value))
    out[e.name] = { dur: e.dur, n: e.desc !== undefined && /^\d+$/.test(e.desc) ? Number(e.desc) : undefined };
  return out;
}
