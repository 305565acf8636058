export type Level = "debug" | "info" | "warn" | "error";

/** One JSON object per line, so log pipelines (Workers Logs, Logpush) parse it as is. */
export function log(level: Level, fields: Record<string, unknown>) {
  const line = JSON.stringify({ ts: new Date().toISOString(), level, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}
