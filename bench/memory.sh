#!/usr/bin/env bash
# Part 3, memory: the host's RSS idle and after 100,000 alerts (distinct single-alert
# notifications, wrk, 2 threads x 32 connections), the spool's size at its peak and once
# everything is delivered (it must shrink: VACUUM once drained), and the sink's output size.
# Key=value lines in $RESULTS/memory.txt.
#   bench/memory.sh [ALERTS]   (BUILD, RESULTS set by bench/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
alerts=${1:-100000}
trap bench_cleanup EXIT

work=$(mktemp -d)
cat >"$work/routes.yaml" <<YAML
sinks:
  logs: {plugin: log_sink, config: {path: $work/alerts.jsonl}}
server: {max_threads: 64}
route: {sink: logs}
YAML
spool=$work/state/spool.sqlite3
bytes() { local t=0 f; for f in "$@"; do [[ -e $f ]] && t=$((t + $(stat -c %s "$f"))); done; echo $t; }
spool_bytes() { bytes "$spool" "$spool-wal"; }

port=$(free_port)
start_host memory-host "$port" --config "$work/routes.yaml" --state-dir "$work/state" --log-level warn
pid=$HOST_PID
wait_http "$port" /healthz
sleep 2
out=$RESULTS/memory.txt
{
  echo "alerts=$alerts"
  echo "load_start=$(load_now)"
  echo "rss_idle_kb=$(rss_kb "$pid")"
  echo "spool_idle_bytes=$(spool_bytes)"
} >"$out"

# Sample the spool's size while the alerts come in, to catch its peak.
peak=0
(while kill -0 "$pid" 2>/dev/null; do spool_bytes; sleep 0.2; done) >"$work/sizes" &
sampler=$!
BODY_FILE=$PWD/tests/fixtures/alertmanager/a_firing_single_alert_HighCPU_server01.json \
  MAX_REQUESTS=$alerts WRK_THREADS=2 wrk -t2 -c32 -d600s -s bench/post_fixture.lua \
  "http://127.0.0.1:$port" >"$RESULTS/memory-wrk.txt" &
wrk_pid=$!
# wrk's threads stop at their share but wrk waits for -d: interrupt it (it then reports).
until (($(metric "$port" tickets_grouping_alerts_received_total) >= alerts)); do
  kill -0 "$wrk_pid" 2>/dev/null || break
  sleep 0.2
done
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" || true
accepted=$(metric "$port" tickets_grouping_alerts_received_total)
echo "rss_after_ingest_kb=$(rss_kb "$pid")" >>"$out"
# Until the sink has everything (spool depth 0), then a moment for the compaction.
started=$SECONDS
until [[ "$(metric "$port" tickets_grouping_spool_depth)" == 0 ]]; do
  ((SECONDS - started < 600)) || { bench_log "memory: the spool did not drain"; break; }
  sleep 0.5
done
sleep 1
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/sizes" | tail -1)
{
  echo "accepted_alerts=$accepted"
  echo "drain_seconds_after_ingest=$((SECONDS - started))"
  echo "rss_after_kb=$(rss_kb "$pid")"
  echo "spool_peak_bytes=${peak:-0}"
  echo "spool_after_bytes=$(spool_bytes)"
  echo "sink_output_bytes=$(bytes "$work/alerts.jsonl")"
  echo "sink_output_lines=$(wc -l <"$work/alerts.jsonl")"
  echo "load_end=$(load_now)"
} >>"$out"
stop_pid "$pid"
echo "spool_after_restart_bytes=$(spool_bytes)" >>"$out"
bench_log "memory: $(tr '\n' ' ' <"$out")"
rm -rf "$work"
