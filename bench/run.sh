#!/usr/bin/env bash
# Every benchmark, one command: builds Release in build-bench/, runs the parts, writes the raw
# figures and bench/results/report.md (each figure beside its target). Needs root for the local
# Redmine (parts 2, 4, 6 and 7 make fresh projects of their own in it; part 6 also sets up a second
# instance on PostgreSQL, bench/redmine_pg.sh).
#
#   bench/run.sh [--quick] [PART...]     PART: ingest memory redmine cold routing concurrency
#                                        ticket (default: all)
#
# --quick: 5 s wrk runs, 10,000 alerts, 10 x 5 storms, 500 issues, 10 tickets: checks the scripts, not the
# figures. BENCH_ROUTING_BEFORE=REV: the routing part also runs against REV's matchers.
# Tests never assert on timings; this reports them.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
quick=0
parts=()
for arg in "$@"; do
  case "$arg" in
  --quick) quick=1 ;;
  ingest | memory | redmine | cold | routing | concurrency | ticket) parts+=("$arg") ;;
  *) sed -n '2,12s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
done
((${#parts[@]})) || parts=(ingest memory redmine cold routing concurrency ticket)

command -v wrk >/dev/null || { scripts/install-deps.sh build; apt-get install -y -qq wrk >/dev/null; }
scripts/install-deps.sh build
export BUILD=$PWD/build-bench RESULTS=$PWD/bench/results
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTG_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target tickets-grouping log_sink redmine_grouping \
  tickets-grouping-bench-ceiling tickets-grouping-bench-routing >/dev/null
mkdir -p "$RESULTS"
# All parts: a clean slate. Some parts: the others' figures stay (each part dates itself).
((${#parts[@]} < 7)) || rm -f "$RESULTS"/*

if [[ " ${parts[*]} " =~ " "(redmine|cold|concurrency|ticket)" " ]]; then
  scripts/redmine-local.sh env >/dev/null
fi
{
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/RESULTS.md' || echo '+changes')"
  echo "machine=$(machine)"
  echo "redmine=Redmine $(dpkg-query -W -f='${Version}' redmine 2>/dev/null) (Debian package, SQLite, thin) on 127.0.0.1:3100"
  echo "quick=$quick"
} >"$RESULTS/meta.new"
grep '^part_' "$RESULTS/meta.txt" 2>/dev/null >>"$RESULTS/meta.new" || true
mv "$RESULTS/meta.new" "$RESULTS/meta.txt"

for part in "${parts[@]}"; do
  bench_log "part $part, load $(load_now)"
  sed -i "/^part_$part=/d" "$RESULTS/meta.txt"
  echo "part_$part=$(date -u +%Y-%m-%dT%H:%MZ)" >>"$RESULTS/meta.txt"
  case "$part" in
  ingest) bench/ingest.sh "$( ((quick)) && echo 5 || echo 30)" ;;
  memory) bench/memory.sh "$( ((quick)) && echo 10000 || echo 100000)" ;;
  redmine) if ((quick)); then bench/redmine_storm.py "$BUILD" "$RESULTS" 10 5; else bench/redmine_storm.py "$BUILD" "$RESULTS"; fi >/dev/null ;;
  cold) bench/cold_start.py "$BUILD" "$RESULTS" "$( ((quick)) && echo 500 || echo 5000)" >/dev/null ;;
  concurrency) if ((quick)); then bench/redmine_concurrency.py "$BUILD" "$RESULTS" 10 5; else bench/redmine_concurrency.py "$BUILD" "$RESULTS"; fi >/dev/null ;;
  ticket) bench/time_to_ticket.py "$BUILD" "$RESULTS" "$( ((quick)) && echo 10 || echo 60)" >/dev/null ;;
  routing) bench/routing.sh ${BENCH_ROUTING_BEFORE:+--before "$BENCH_ROUTING_BEFORE"} 10000 "$( ((quick)) && echo 3 || echo 15)" ;;
  esac
done
bench/report.py "$RESULTS" >/dev/null
bench_log "report: $RESULTS/report.md"
