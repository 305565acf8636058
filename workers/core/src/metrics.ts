/**
 * Per-isolate request metrics in Prometheus text format. Each isolate counts on its own (JavaScript
 * runs one request callback at a time, so there is no lock to contend for); the gateway's /metrics
 * concatenates every worker's series.
 */
import type { Timings } from "./server-timing";

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
export function observeRequest(worker: string, method: string, route: string, status: number, ms: number, timings?: Timings) {
  const esc = escapeLabelValue;
  if (timings) {
    const u = usageOf(worker);
    u.d1_count += timings.d1.count;
    u.d1_ms += timings.d1.dur;
    u.do_count += timings.do.count;
    u.do_ms += timings.do.dur;
  }
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
  "# TYPE ef_projection_backlog gauge\n" +
  "# HELP ef_d1_statements_total D1 statements run on requests' paths, by the worker that answered (what it called included).\n" +
  "# TYPE ef_d1_statements_total counter\n" +
  "# HELP ef_d1_time_seconds_total Time spent waiting for D1 on requests' paths.\n" +
  "# TYPE ef_d1_time_seconds_total counter\n" +
  "# HELP ef_do_calls_total Durable Object calls made on requests' paths, by the worker that answered (what it called included).\n" +
  "# TYPE ef_do_calls_total counter\n" +
  "# HELP ef_do_time_seconds_total Time spent waiting for Durable Objects on requests' paths.\n" +
  "# TYPE ef_do_time_seconds_total counter\n" +
  "# HELP ef_webhook_deliveries_total Webhook delivery attempts by outcome (counted by the worker that delivers).\n" +
  "# TYPE ef_webhook_deliveries_total counter\n";

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
  return out + renderUsageSeries() + renderProjectionSeries();
}

// ── D1 and Durable Object time per worker, webhook deliveries ──
const usage = new Map<string, { d1_count: number; d1_ms: number; do_count: number; do_ms: number }>();
function usageOf(worker: string) {
  let u = usage.get(worker);
  if (!u) usage.set(worker, (u = { d1_count: 0, d1_ms: 0, do_count: 0, do_ms: 0 }));
  return u;
}

export const WEBHOOK_OUTCOMES = ["delivered", "failed", "retried", "dead_lettered"] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];
const deliveries = new Map<WebhookOutcome, number>();

/** One webhook delivery attempt ended so (the delivering worker calls this). */
export function observeWebhookDelivery(outcome: WebhookOutcome) {
  deliveries.set(outcome, (deliveries.get(outcome) ?? 0) + 1);
}

function renderUsageSeries(): string {
  let out = "";
  const esc = escapeLabelValue;
  for (const [w, u] of usage) {
    const l = `worker="${esc(w)}"`;
    out += `ef_d1_statements_total{${l}} ${u.d1_count}\nef_d1_time_seconds_total{${l}} ${(u.d1_ms / 1000).toFixed(6)}\n`;
    out += `ef_do_calls_total{${l}} ${u.do_count}\nef_do_time_seconds_total{${l}} ${(u.do_ms / 1000).toFixed(6)}\n`;
  }
  // Every worker that served a request reports the counter (zero where nothing is delivered), so the
  // series exist before the first delivery and dashboards and alerts see 0, not "no data".
  for (const w of usage.keys())
    for (const o of WEBHOOK_OUTCOMES) out += `ef_webhook_deliveries_total{worker="${esc(w)}",outcome="${o}"} ${deliveries.get(o) ?? 0}\n`;
  return out;
}

/** A dataset binding of Workers Analytics Engine (`[[analytics_engine_datasets]]`), as far as core uses it. */
export interface AnalyticsDataset {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void;
}

/**
 * The request's measurements as one Analytics Engine data point, the same as the Prometheus series:
 * index worker; blobs worker, method, route, status; doubles duration ms, status, D1 statements, D1 ms,
 * object calls, object ms (scripts/monitoring/analytics-engine.sql reads them by these positions).
 * Absent binding: nothing; a failing write never fails the request.
 */
export function writeRequestPoint(
  dataset: AnalyticsDataset | undefined,
  worker: string,
  method: string,
  route: string,
  status: number,
  ms: number,
  timings?: Timings,
) {
  if (!dataset) return;
  try {
    dataset.writeDataPoint({
      indexes: [worker],
      blobs: [worker, method, route, String(status)],
      doubles: [ms, status, timings?.d1.count ?? 0, timings?.d1.dur ?? 0, timings?.do.count ?? 0, timings?.do.dur ?? 0],
    });
  } catch {}
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
