-- Workers Analytics Engine: production-wide request numbers (every isolate, every location), which the
-- per-isolate /metrics cannot give. Every worker writes one data point per request to the dataset
-- ef_requests (binding ANALYTICS; workers/core/src/metrics.ts writeRequestPoint):
--   index1  worker
--   blob1   worker     blob2 method     blob3 route template     blob4 status
--   double1 duration ms   double2 status   double3 D1 statements   double4 D1 ms
--   double5 object calls  double6 object ms   (D1 and object figures include what the worker called)
-- Points are sampled at high volume: weight every count and quantile by _sample_interval.
-- Run one query (statements are separated by blank lines; the API takes one at a time):
--   curl -s "https://api.cloudflare.com/client/v4/accounts/$CLOUDFLARE_ACCOUNT_ID/analytics_engine/sql" \
--     -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" --data-binary @query.sql
-- (the token needs Account Analytics: Read).

-- Requests per minute and 5xx share at the gateway, last 3 hours.
SELECT
  toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute,
  SUM(_sample_interval) AS requests,
  SUM(IF(double2 >= 500, _sample_interval, 0)) / SUM(_sample_interval) AS error_share
FROM ef_requests
WHERE index1 = 'gateway' AND timestamp > NOW() - INTERVAL '3' HOUR
GROUP BY minute
ORDER BY minute;

-- p50 and p99 latency per route of the domain workers, last hour.
SELECT
  blob1 AS worker,
  blob3 AS route,
  SUM(_sample_interval) AS requests,
  quantileWeighted(0.5, double1, _sample_interval) AS p50_ms,
  quantileWeighted(0.99, double1, _sample_interval) AS p99_ms
FROM ef_requests
WHERE index1 != 'gateway' AND timestamp > NOW() - INTERVAL '1' HOUR
GROUP BY worker, route
ORDER BY requests DESC
LIMIT 50;

-- Payments per second (answered 201), per minute, last day.
SELECT
  toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute,
  SUM(_sample_interval) / 60 AS payments_per_second
FROM ef_requests
WHERE index1 = 'payments' AND blob2 = 'POST' AND blob3 = '/v1/payments' AND blob4 = '201'
  AND timestamp > NOW() - INTERVAL '1' DAY
GROUP BY minute
ORDER BY minute;

-- D1 and Durable Object time per request, per route at the gateway's callees, last hour.
SELECT
  blob1 AS worker,
  blob3 AS route,
  SUM(double3 * _sample_interval) / SUM(_sample_interval) AS d1_statements_per_request,
  SUM(double4 * _sample_interval) / SUM(_sample_interval) AS d1_ms_per_request,
  SUM(double5 * _sample_interval) / SUM(_sample_interval) AS object_calls_per_request,
  SUM(double6 * _sample_interval) / SUM(_sample_interval) AS object_ms_per_request
FROM ef_requests
WHERE index1 != 'gateway' AND timestamp > NOW() - INTERVAL '1' HOUR
GROUP BY worker, route
ORDER BY d1_ms_per_request DESC
LIMIT 50;

-- The routes answering 5xx, last day.
SELECT blob1 AS worker, blob3 AS route, blob4 AS status, SUM(_sample_interval) AS answers
FROM ef_requests
WHERE double2 >= 500 AND timestamp > NOW() - INTERVAL '1' DAY
GROUP BY worker, route, status
ORDER BY answers DESC;
