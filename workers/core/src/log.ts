export type Level = "debug" | "info" | "warn" | "error";

/** One JSON object per line, so log pipelines (Workers Logs, Logpush) parse it as is. */
export function log(level: Level, fields: Record<string, unknown>) {
  const line = JSON.stringify({ ts: new Date().toISOString(), level, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

/**
 * Set by the gateway on what it forwards: "1" when it logs this request, "0" when it does not, so a
 * sampled request is logged by every worker on its path and an unsampled one by none (errors aside).
 */
export const LOG_SAMPLED_HEADER = "x-ef-log-sampled";

let lastRaw: string | undefined;
let lastRate = 0;

/** LOG_SAMPLE_RATE as a share in [0, 1]; unset or unreadable means 0 (successes are not logged). */
export function logSampleRate(raw: string | undefined): number {
  if (raw === lastRaw) return lastRate;
  const n = Number(raw);
  lastRaw = raw;
  lastRate = raw === undefined || raw.trim() === "" || !Number.isFinite(n) ? 0 : Math.min(1, Math.max(0, n));
  return lastRate;
}

/**
 * Whether a successful request is logged: the caller's decision when the gateway sent one, else a draw
 * at `rate` (no draw at all at 0 or 1). Answers ≥ 400 are logged whatever this says.
 */
export function sampleRequest(rate: number, forwarded: string | undefined, random: () => number = Math.random): boolean {
  if (forwarded === "1") return true;
  if (forwarded === "0") return false;
  return rate >= 1 || (rate > 0 && random() < rate);
}
