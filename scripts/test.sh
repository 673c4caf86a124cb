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
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-ci-asan --output-on-failure -j "$jobs" --timeout 900
fi
