#!/usr/bin/env bash
# Part `routing`: 10,000 alerts through a tree of regex routes (bench/routing/routing.cpp: the
# host's load_routing_text and match_routes, no HTTP, no spool), 15 rounds, the median round.
# With --before REV, the same program is also built against REV's code (git archive, Release) and
# run right after: the matcher engine before and after a change. Key=value lines in
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

run() {  # run PREFIX BINARY ENGINE
  bench_log "routing ($1$3): $alerts alerts x $rounds rounds"
  echo "${1}engine=$3"
  echo "${1}load=$(load_now)"
  "$2" "$alerts" "$rounds" | sed "s/^/$1/"
}

{
  echo "commit=$(git rev-parse --short HEAD)"
  run "" "$BUILD/bench-bin/tickets-grouping-bench-routing" "$(engine .)"
  if [[ -n $before ]]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    git archive "$before" | tar -x -C "$work"
    echo "before_commit=$(git rev-parse --short "$before")"
    binary=$(build_against "$work" "$work/build")
    run before_ "$binary" "$(engine "$work")"
  fi
} >"$out"
bench_log "routing: $out"
