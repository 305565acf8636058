/**
 * Per-isolate request metrics in Prometheus text format. Each isolate counts on its own (JavaScript
 * runs one request callback at a time, so there is no lock to contend for); the gateway's /metrics
 * concatenates every worker's series.
 */
const BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

interface Series {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}
const series = new Map<string, Series>();

/** A label value in the Prometheus text format: backslash, double quote and line feed escaped. */
export const escapeLabelValue = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/**
 * Counts one request. Every label must come from a small fixed set (worker names, route templates,
 * the methods the API serves or "other"), or each new value would grow the series map for good.
 */
export function observeRequest(worker: string, method: string, route: string, status: number, ms: number) {
  const esc = escapeLabelValue;
  const labels = `worker="${esc(worker)}",method="${esc(method)}",route="${esc(route)}",status="${status}"`;
  let s = series.get(labels);
  if (!s) series.set(labels, (s = { labels, count: 0, sum: 0, buckets: BUCKETS_MS.map(() => 0) }));
  s.count++;
  s.sum += ms;
  for (let i = 0; i < BUCKETS_MS.length; i++) if (ms <= BUCKETS_MS[i]) s.buckets[i]++;
}

export const METRICS_HEADER =
  "# HELP http_requests_total Requests handled, by worker, route template and status.\n" +
  "# TYPE http_requests_total counter\n" +
  "# HELP http_request_duration_ms Request latency in milliseconds.\n" +
  "# TYPE http_request_duration_ms histogram\n" +
  "# HELP ef_projection_lag_seconds Time from a ledger change to its row landing in the D1 projection.\n" +
  "# TYPE ef_projection_lag_seconds histogram\n" +
  "# HELP ef_projection_backlog Outbox rows of the ledger objects still waiting for D1.\n" +
  "# TYPE ef_projection_backlog gauge\n";

/** This isolate's series, without the HELP/TYPE header. */
export function renderSeries(): string {
  let out = "";
  for (const s of series.values()) {
    out += `http_requests_total{${s.labels}} ${s.count}\n`;
    BUCKETS_MS.forEach((le, i) => (out += `http_request_duration_ms_bucket{${s.labels},le="${le}"} ${s.buckets[i]}\n`));
    out += `http_request_duration_ms_bucket{${s.labels},le="+Inf"} ${s.count}\n`;
    out += `http_request_duration_ms_sum{${s.labels}} ${s.sum.toFixed(3)}\n`;
    out += `http_request_duration_ms_count{${s.labels}} ${s.count}\n`;
  }
  return out + renderProjectionSeries();
}

// ── ledger projection (observed by the AccountLedger objects of this isolate) ──
const LAG_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const lag = { count: 0, sum: 0, buckets: LAG_BUCKETS_S.map(() => 0) };
/** Rows waiting in each object's outbox, by object id; an object with none is dropped, so the map stays small. */
const backlog = new Map<string, number>();

/** One outbox row reached D1, `seconds` after it was enqueued. */
export function observeProjectionLag(seconds: number) {
  lag.count++;
  lag.sum += seconds;
  for (let i = 0; i < LAG_BUCKETS_S.length; i++) if (seconds <= LAG_BUCKETS_S[i]) lag.buckets[i]++;
}

export function setProjectionBacklog(objectId: string, rows: number) {
  if (rows > 0) backlog.set(objectId, rows);
  else backlog.delete(objectId);
}

/** This isolate's projection series (empty where no ledger object ran), without the HELP/TYPE header. */
function renderProjectionSeries(): string {
  if (!lag.count && !backlog.size) return "";
  let out = "";
  LAG_BUCKETS_S.forEach((le, i) => (out += `ef_projection_lag_seconds_bucket{le="${le}"} ${lag.buckets[i]}\n`));
  out += `ef_projection_lag_seconds_bucket{le="+Inf"} ${lag.count}\n`;
  out += `ef_projection_lag_seconds_sum ${lag.sum.toFixed(6)}\n`;
  out += `ef_projection_lag_seconds_count ${lag.count}\n`;
  let rows = 0;
  for (const n of backlog.values()) rows += n;
  out += `ef_projection_backlog ${rows}\n`;
  return out;
}
