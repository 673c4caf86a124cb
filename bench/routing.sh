#!/usr/bin/env bash
# Part `routing`: 10,000 alerts through a tree of regex routes (bench/routing/routing.cpp: the
# host's load_routing_text and match_routes, no HTTP, no spool), 15 rounds, the median round.
# With --before REV, the same program is also built against REV's code (git archive, Release) and
# run alternately with it, TRIALS times each (default 3): the machine is shared, so the trial
# with the lowest median is the one reported, beside every trial's median. Key=value lines in
# $RESULTS/routing.txt (`before_*` for REV).
#   bench/routing.sh [--before REV] [ALERTS] [ROUNDS]   (BUILD, RESULTS set by bench/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
before=
if [[ ${1:-} == --before ]]; then before=$2; shift 2; fi
alerts=${1:-10000} rounds=${2:-15}
out=$RESULTS/routing.txt

# The program built the same way against another tree's host config library (Release flags).
build_against() {  # build_against SRC_DIR BUILD_DIR -> the binary's path
  local src=$1 dir=$2
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTG_BUILD_TESTS=OFF >/dev/null
  cmake --build "$dir" -j "$(nproc)" --target tg_host_config >/dev/null
  local libs=("$dir/host/src/config/libtg_host_config.a")
  [[ -e $dir/common/libtg_common.a ]] && libs+=("$dir/common/libtg_common.a")
  g++ -std=c++20 -O3 -DNDEBUG -DUSE_OS_TZDB=1 -I"$src/host/src" -I"$src/common" \
    bench/routing/routing.cpp "${libs[@]}" -lyaml-cpp -ldate-tz -lre2 -o "$dir/bench-routing"
  echo "$dir/bench-routing"
}

engine() { grep -q 're2' "$1/host/src/config/matcher.hpp" && echo RE2 || echo std::regex; }

trials=${TRIALS:-3}
declare -A best=() medians=()
trial() {  # trial PREFIX BINARY: one run; keeps the output with the lowest median
  local text median
  text=$(echo "load=$(load_now)"; "$2" "$alerts" "$rounds")
  median=$(sed -n 's/^median_ms=//p' <<<"$text")
  medians[$1]+="${medians[$1]:+,}$median"
  if [[ -z ${best[$1]:-} ]] || awk -v a="$median" -v b="$(sed -n 's/^median_ms=//p' <<<"${best[$1]}")" \
    'BEGIN {exit !(a < b)}'; then
    best[$1]=$text
  fi
}

after=$BUILD/bench-bin/tickets-grouping-bench-routing
if [[ -n $before ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  git archive "$before" | tar -x -C "$work"
  before_binary=$(build_against "$work" "$work/build")
fi
for ((t = 1; t <= trials; t++)); do
  bench_log "routing: trial $t of $trials, $alerts alerts x $rounds rounds"
  trial after "$after"
  [[ -z $before ]] || trial before "$before_binary"
done
{
  echo "commit=$(git rev-parse --short HEAD)"
  echo "engine=$(engine .)"
  echo "trial_medians_ms=${medians[after]}"
  echo "${best[after]}"
  if [[ -n $before ]]; then
    echo "before_commit=$(git rev-parse --short "$before")"
    echo "before_engine=$(engine "$work")"
    echo "before_trial_medians_ms=${medians[before]}"
    sed 's/^/before_/' <<<"${best[before]}"
  fi
} >"$out"
bench_log "routing: $out"
