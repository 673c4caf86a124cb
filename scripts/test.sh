#!/usr/bin/env bash
# Builds everything and runs every test, against the real Redmine, a real Alertmanager and a real
# PostgreSQL: each test once, either in the -Werror build as shipped or in the build with
# AddressSanitizer and UndefinedBehaviorSanitizer (below); then the concurrency tests with
# ThreadSanitizer and the fuzzers for a few seconds each. Needs root on a fresh Debian 12 machine
# (it installs packages).
#
# Most tests wait (for Redmine, for cron minutes, for a host to start), so the next stage's build
# runs beside the current stage's tests, at the lowest CPU priority: the tests keep the CPU they
# need, the build takes what they leave. TG_SKIP_SANITIZERS=1, TG_SKIP_TSAN=1 and TG_SKIP_FUZZ=1
# leave stages out.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
scripts/install-deps.sh test
# The CTest fixture starts Redmine too; doing it here first makes a failure to install it obvious.
scripts/redmine-local.sh setup >/dev/null

configure() {  # configure DIR [cmake options...]
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTG_WERROR=ON "$@" >/dev/null
}

# A build in the background, at the lowest priority: its output goes to DIR.log, shown if it fails.
background_pids=()
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT  # a stage failed: the builds beside it stop too
background_build() {  # background_build DIR [--target TARGET...]
  local dir=$1
  shift
  nice -n 19 cmake --build "$dir" -j "$jobs" "$@" >"$dir.log" 2>&1 &
  background_pids+=("$!:$dir")
}
wait_build() {  # wait_build DIR
  local entry
  for entry in "${background_pids[@]}"; do
    [[ ${entry#*:} == "$1" ]] || continue
    if ! wait "${entry%%:*}"; then
      tail -100 "$1.log" >&2
      echo "the build in $1 failed (above; all of it in $1.log)" >&2
      exit 1
    fi
    return 0
  done
}

sanitizers=$([[ "${TG_SKIP_SANITIZERS:-}" == 1 ]] && echo 0 || echo 1)
tsan=$([[ $sanitizers == 1 && "${TG_SKIP_TSAN:-}" != 1 ]] && echo 1 || echo 0)
fuzz=$([[ "${TG_SKIP_FUZZ:-}" != 1 ]] && echo 1 || echo 0)

# Each test runs once. The -Werror build, optimised as shipped, runs what the sanitizers add nothing
# to: the SDK built out of tree by the system's compilers, the .deb and scripts/run.sh (builds of
# their own), Redmine's own formatters (a serial lock on the site's setting), the grouping tests
# again as the least-privilege bot, the flap tests that wait for real minutes of cron (their
# logic runs under the sanitizers in the unit tests), and the intake's peak-memory bound (a
# sanitizer's own memory would hide it). The ASan+UBSan build runs everything else,
# and compiles every target with -Werror too. Without the sanitizers, all of it runs here.
plain_only='^sdk\.(the installed SDK|the SDK component alone|alert_files, built)'
plain_only+='|^redmine_grouping\.(rendering|redmine_bot)\.|^redmine_grouping\.host\.flap_window'
plain_only+='|^ops\.(package|run_sh)$|^faults\.memory amplification at intake'
# What ships, and the test programs of the tests above.
plain_targets=(tickets-grouping log_sink redmine_grouping tg_sdk_tests redmine_grouping_redmine_tests
  redmine_grouping_rendering_tests redmine_grouping_host_tests tg_faults_tests)

# The -Werror build and the builds its tests make of the same product (the .deb's and
# scripts/run.sh's, the same flags but -Werror) go through ccache: the product is compiled once.
# The cache is this run's own (a clean clone starts empty); -Werror changes no object file.
with_ccache=(env CCACHE_DIR="$PWD/build-ci-ccache" CCACHE_NOHASHDIR=1 CCACHE_IGNOREOPTIONS=-Werror
  CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache)
# The sanitizer builds: -O1 (instrumented code builds faster and still finds what -O2 would) and
# -g1 (the file, line and function of every frame of a report, a quarter less to compile).
instrumented=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_C_FLAGS=-O1
  -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1)

"${with_ccache[@]}" cmake -S . -B build-ci -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTG_WERROR=ON >/dev/null
if ((sanitizers)); then
  "${with_ccache[@]}" cmake --build build-ci -j "$jobs" --target "${plain_targets[@]}"
  configure build-ci-asan -DTG_SANITIZE=ON "${instrumented[@]}"
  background_build build-ci-asan
  "${with_ccache[@]}" ctest --test-dir build-ci --output-on-failure -j "$jobs" --timeout 900 -R "$plain_only"
else
  "${with_ccache[@]}" cmake --build build-ci -j "$jobs"
  "${with_ccache[@]}" ctest --test-dir build-ci --output-on-failure -j "$jobs" --timeout 900
fi

if ((tsan)); then
  configure build-ci-tsan -DTG_TSAN=ON -DTG_WERROR=OFF "${instrumented[@]}"
fi
if ((fuzz)); then
  configure build-ci-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTG_FUZZ=ON \
    -DTG_WERROR=OFF
fi

if ((sanitizers)); then
  wait_build build-ci-asan
  # While the ASan tests run: the ThreadSanitizer and fuzzing builds.
  ((tsan)) && background_build build-ci-tsan --target tickets-grouping log_sink redmine_grouping \
    fault_sink tg_host_integration_tests tg_scheduler_tests tg_faults_tests tg_faults_redmine_tests
  ((fuzz)) && background_build build-ci-fuzz --target fuzz_webhook fuzz_matcher fuzz_routing \
    fuzz_redmine_config
  # One test more than cores: the Redmine burst tests (one at a time, about 400 s together) wait
  # on Redmine, and the other tests keep both cores busy beside them.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
    ctest --test-dir build-ci-asan --output-on-failure -j "$((jobs + 1))" --timeout 900 -E "$plain_only"
elif ((fuzz)); then
  background_build build-ci-fuzz --target fuzz_webhook fuzz_matcher fuzz_routing fuzz_redmine_config
fi

# ThreadSanitizer on the concurrency tests (CTest label `concurrency`: host integration,
# scheduler, the HA and misbehaving-sink fault scenarios). Every process, the host children
# included, writes its reports under build-ci-tsan/tsan/; any report fails the stage.
if ((tsan)); then
  wait_build build-ci-tsan
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
if ((fuzz)); then
  wait_build build-ci-fuzz
  ctest --test-dir build-ci-fuzz --output-on-failure -L '^fuzz$' -j "$jobs"
fi
