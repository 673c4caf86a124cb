#!/usr/bin/env bash
# Part 1, ingest: wrk POSTs a real fixture to /webhook, 2 threads, 32 and 256 connections, against
# the host with its durable spool (SQLite WAL, synchronous=FULL, log_sink as the sink) and, in the
# same run, against the no-spool ceiling (bench/ceiling: same HTTP server and parsing, nothing
# stored). Raw wrk output in $RESULTS/ingest-*.txt, one line per run in $RESULTS/ingest.tsv.
#   bench/ingest.sh SECONDS   (BUILD, RESULTS set by bench/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
duration=${1:-30}
trap bench_cleanup EXIT

work=$(mktemp -d)
cat >"$work/routes.yaml" <<YAML
sinks:
  logs: {plugin: log_sink, config: {path: $work/alerts.jsonl}}
server:
  max_threads: 300   # Poco holds a thread per keep-alive connection: 256 clients need 256+
route: {sink: logs}
YAML
fixture=$PWD/tests/fixtures/alertmanager/a_firing_single_alert_HighCPU_server01.json
printf 'target\tconnections\trps\tp50_ms\tp99_ms\tp999_ms\tmax_ms\terrors\trss_before_kb\trss_end_kb\tload\n' >"$RESULTS/ingest.tsv"

run() { # run TARGET CONNECTIONS PORT PID
  local out=$RESULTS/ingest-$1-c$2.txt before
  before=$(rss_kb "$4")
  local load
  load=$(load_now)
  BODY_FILE=$fixture wrk -t2 -c"$2" -d"${duration}s" --latency -s bench/post_fixture.lua \
    "http://127.0.0.1:$3" >"$out"
  local line
  line=$(grep '^BENCH ' "$out")
  eval "$(sed 's/^BENCH //' <<<"$line")"  # requests= rps= p50_ms= ...
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$rps" "$p50_ms" "$p99_ms" \
    "$p999_ms" "$max_ms" "$errors" "$before" "$(rss_kb "$4")" "$load" >>"$RESULTS/ingest.tsv"
  bench_log "ingest $1 c=$2: $rps/s p50 $p50_ms ms p99 $p99_ms ms p99.9 $p999_ms ms errors $errors (load $load)"
}

# A fresh host for every run: a backlog left by the previous run (the sink delivers slower than
# the host accepts) would otherwise compete with the next one. The spool host and the ceiling run
# back to back at each connection count, so both see the same machine load.
for connections in 32 256; do
  rm -rf "$work/state" "$work/alerts.jsonl"
  port=$(free_port)
  start_host "ingest-spool-c$connections" "$port" --config "$work/routes.yaml" \
    --state-dir "$work/state" --log-level warn
  wait_http "$port" /healthz
  run spool "$connections" "$port" "$HOST_PID"
  stop_pid "$HOST_PID"
  port=$(free_port)
  HOST_BINARY=$BUILD/bench-bin/tickets-grouping-bench-ceiling start_host \
    "ingest-ceiling-c$connections" "$port" --config "$work/routes.yaml"
  wait_http "$port" /healthz
  run ceiling "$connections" "$port" "$HOST_PID"
  stop_pid "$HOST_PID"
done
rm -rf "$work"
