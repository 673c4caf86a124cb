#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang++, ASan+UBSan) in build-fuzz and runs each for SECONDS
# (default 300) on both cores in turn. Crashes land in build-fuzz/fuzz/artifacts/<target>/: fix
# the bug, then copy the input to fuzz/regressions/<target>/ so the normal suite replays it.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
if [[ $# -gt 0 ]]; then targets=("$@"); else targets=(webhook matcher routing redmine_config); fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DTG_FUZZ=ON -DTG_BUILD_TESTS=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
declare -A max_len=([webhook]=65536 [matcher]=512 [routing]=8192 [redmine_config]=4096)
declare -A seeds=([webhook]=tests/fixtures/alertmanager [matcher]=fuzz/seeds/matcher [routing]=fuzz/seeds/routing [redmine_config]=fuzz/seeds/redmine_config)
status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/fuzz/corpus/$t artifacts=build-fuzz/fuzz/artifacts/$t/
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzz_$t for ${seconds}s"
  build-fuzz/fuzz/fuzz_$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$t]}" \
    -jobs="$(nproc)" -workers="$(nproc)" -print_final_stats=1 -artifact_prefix="$artifacts" \
    "$corpus" "fuzz/regressions/$t" "${seeds[$t]}" || status=1
done
exit $status
