#!/usr/bin/env bash
# Builds everything and runs every test: a -Werror build with the whole suite against the real
# Redmine and a real Alertmanager, then the same suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer. Needs root on a fresh Debian 12 machine (it installs packages).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
scripts/install-deps.sh test
# The CTest fixture starts Redmine too; doing it here first makes a failure to install it obvious.
scripts/redmine-local.sh setup >/dev/null

build() {  # build DIR [cmake options...]
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTG_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

build build-ci
ctest --test-dir build-ci --output-on-failure -j "$jobs" --timeout 900

if [[ "${TG_SKIP_SANITIZERS:-}" != 1 ]]; then
  # -O1: instrumented code builds faster and still finds what -O2 would.
  build build-ci-asan -DTG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_C_FLAGS=-O1
  # Left out here, run by the stage above: what instruments none of our code a second time (the
  # SDK built out of tree by the system's compilers, Redmine's own formatters with a serial lock
  # on the site's setting, the grouping tests again as the least-privilege bot) and the flap
  # tests that wait for real minutes of cron (their logic runs here in the unit tests).
  asan_skip='^sdk\.(the installed SDK|the SDK component alone|alert_files, built)'
  asan_skip+='|^redmine_grouping\.(rendering|redmine_bot)\.|^redmine_grouping\.host\.flap_window'
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
    ctest --test-dir build-ci-asan --output-on-failure -j "$jobs" --timeout 900 -E "$asan_skip"
fi

# ThreadSanitizer on the concurrency tests (CTest label `concurrency`: host integration,
# scheduler, the HA and misbehaving-sink fault scenarios). Every process, the host children
# included, writes its reports under build-ci-tsan/tsan/; any report fails the stage.
if [[ "${TG_SKIP_SANITIZERS:-}" != 1 && "${TG_SKIP_TSAN:-}" != 1 ]]; then
  cmake -S . -B build-ci-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_C_FLAGS=-O1 \
    -DTG_TSAN=ON >/dev/null
  cmake --build build-ci-tsan -j "$jobs" --target tickets-grouping log_sink redmine_grouping fault_sink \
    tg_host_integration_tests tg_scheduler_tests tg_faults_tests tg_faults_redmine_tests
  rm -rf build-ci-tsan/tsan && mkdir -p build-ci-tsan/tsan
  TSAN_OPTIONS="log_path=$PWD/build-ci-tsan/tsan/report second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
    ctest --test-dir build-ci-tsan --output-on-failure -j "$jobs" --timeout 900 -L concurrency
  if compgen -G "build-ci-tsan/tsan/report*" >/dev/null; then
    cat build-ci-tsan/tsan/report*
    echo "ThreadSanitizer found data races (above)" >&2
    exit 1
  fi
fi

# libFuzzer (clang, ASan+UBSan): each harness of fuzz/ for ~20 s (fuzz/run.sh runs them longer).
if [[ "${TG_SKIP_FUZZ:-}" != 1 ]]; then
  cmake -S . -B build-ci-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DTG_FUZZ=ON >/dev/null
  cmake --build build-ci-fuzz -j "$jobs" --target fuzz_webhook fuzz_matcher fuzz_routing fuzz_redmine_config
  ctest --test-dir build-ci-fuzz --output-on-failure -L '^fuzz$' -j "$jobs"
fi
