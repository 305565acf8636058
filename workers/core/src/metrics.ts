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
  "# TYPE http_request_duration_ms histogram\n";

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
  return out;
}
