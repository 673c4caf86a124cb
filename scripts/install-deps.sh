#!/usr/bin/env bash
# Installs the Debian 12 packages tickets-grouping needs: `build` to build and run it, `test`
# adds what the tests drive for real (Alertmanager, clang for the out-of-tree SDK check, promtool
# from prometheus for etc/prometheus-rules.yml, dpkg-dev for the .deb, postgresql for the tests of
# the shared store: scripts/postgres-local.sh, chromium and a Japanese font for the screenshots
# of the rendering tests, ccache for the test run's repeated builds of the product). libkainjow-mustache-dev is the Redmine sink's
# template engine (header only); nlohmann-json3-dev is how the SDK's C++ headers read the JSON a
# sink receives (header only; Debian's usual C++ JSON library, so a sink author has it too);
# libre2-dev is Google RE2, the regex engine of Alertmanager's matchers, for the routing file's;
# libsystemd-dev is sd_notify, for the unit's Type=notify readiness and its watchdog.
# The local Redmine is installed by scripts/redmine-local.sh. Idempotent; needs root.
set -euo pipefail

readonly BUILD_PACKAGES=(g++ cmake ninja-build pkg-config libpoco-dev libyaml-cpp-dev libboost-dev
  libboost-filesystem-dev libhowardhinnant-date-dev libkainjow-mustache-dev nlohmann-json3-dev
  libre2-dev libsystemd-dev catch2 sqlite3 libpq-dev curl ca-certificates tzdata)
readonly TEST_PACKAGES=(ccache clang prometheus-alertmanager prometheus dpkg-dev postgresql chromium
  fonts-ipafont-gothic)

packages=("${BUILD_PACKAGES[@]}")
case "${1:-build}" in
  build) ;;
  test) packages+=("${TEST_PACKAGES[@]}") ;;
  *) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
[[ $EUID -eq 0 ]] || { echo "install-deps: run as root to install: ${missing[*]}" >&2; exit 1; }
echo "[install-deps] installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The Alertmanager package starts its own service on :9093; the tests start their own instances
# on free ports and need neither it nor a policy change.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
