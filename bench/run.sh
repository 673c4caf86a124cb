#!/usr/bin/env bash
# Benchmarks: ingest throughput and latency of POST /webhook with the durable spool (wrk).
#   bench/run.sh [SECONDS]      writes bench/results/ingest-*.txt and prints a summary
# Release build in build-bench/; the sink is log_sink writing to a temp file.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30}
command -v wrk >/dev/null || { scripts/install-deps.sh build; apt-get install -y -qq wrk >/dev/null; }
scripts/install-deps.sh build
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTG_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null

work=$(mktemp -d)
trap 'kill "$host" 2>/dev/null || true; rm -rf "$work"' EXIT
cat >"$work/routes.yaml" <<YAML
sinks:
  logs: {plugin: log_sink, config: {path: $work/alerts.jsonl}}
server:
  max_threads: 300   # Poco holds a thread per keep-alive connection: 256 clients need 256+
route: {sink: logs}
YAML
port=15999
build-bench/bin/tickets-grouping --config "$work/routes.yaml" --state-dir "$work/state" \
  --listen 127.0.0.1:$port --log-level warn 2>"$work/host.log" &
host=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

mkdir -p bench/results
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$host/status"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "RSS before: $(rss)"
for connections in 32 256; do
  out=bench/results/ingest-c$connections.txt
  BODY_FILE=$PWD/tests/fixtures/alertmanager/a_firing_single_alert_HighCPU_server01.json \
    wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/post_fixture.lua "http://127.0.0.1:$port" >"$out"
  echo "== $connections connections: $(grep 'Requests/sec' "$out")"
  grep -E '^ +(50|99|99.9)%|Non-2xx|Socket errors' "$out" || true
done
echo "RSS at the end: $(rss)"
