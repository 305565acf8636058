#!/usr/bin/env bash
# The monitoring files checked by Prometheus's own tool (Debian's `prometheus` package): the scrape
# config, the alert rules and their unit tests, and the exposition of a live /metrics from a stack
# this script starts (scripts/ops/live-metrics.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v promtool >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi
dir=scripts/monitoring
# The bearer files the scrape config names (git-ignored); promtool checks that they exist.
mkdir -p "$dir/secrets"
for f in production-metrics-token local-metrics-token; do
  [ -f "$dir/secrets/$f" ] || head -c 32 /dev/urandom | base64 | tr -d '\n' >"$dir/secrets/$f"
done
promtool check config "$dir/prometheus.yml"
promtool check rules "$dir/alerts.yml"
(cd "$dir" && promtool test rules alerts.test.yml)
metrics=$(mktemp)
trap 'rm -f "$metrics"' EXIT
node_modules/.bin/node scripts/ops/live-metrics.mjs "$metrics"
echo "live /metrics: $(grep -vc '^#' "$metrics") samples"
# promtool's lint findings, except one: http_request_duration_ms keeps its name (clients and tests read
# it), so its "abbreviated units" finding is expected; anything else fails.
findings=$(promtool check metrics <"$metrics" 2>&1 || true)
unexpected=$(printf '%s\n' "$findings" | grep -v '^http_request_duration_ms metric names should not contain abbreviated units$' | grep -v '^$' || true)
if [ -n "$unexpected" ]; then
  printf 'promtool check metrics:\n%s\n' "$unexpected"
  exit 1
fi
echo "promtool check metrics: no findings beyond the known http_request_duration_ms unit name"
