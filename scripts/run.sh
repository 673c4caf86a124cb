#!/usr/bin/env bash
# Installs what is needed, builds, and runs the host with the Redmine plugin and its embedded
# SQLite state.
#   scripts/run.sh [ENV_FILE]
# With ENV_FILE (or REDMINE_URL already in the environment) it uses the operator's Redmine;
# with neither it brings up a local Redmine on 127.0.0.1:3100 and uses that.
# Listens on 0.0.0.0:5005 (override with TG_LISTEN); state in ./state (TG_STATE_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

env_file=${1:-}
scripts/install-deps.sh build
# Built as the .deb is: optimised, with the symbols a crash report needs.
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTG_BUILD_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)"

if [[ -z "$env_file" && -z "${REDMINE_URL:-}" ]]; then
  echo "[run] no env file given and REDMINE_URL unset: bringing up a local Redmine" >&2
  scripts/redmine-local.sh setup >/dev/null
  env_file=/var/lib/tickets-grouping-redmine/redmine.env
  echo "[run] Redmine: http://127.0.0.1:3100 (login: admin / see $env_file)" >&2
fi

args=(--state-dir "${TG_STATE_DIR:-./state}" --listen "${TG_LISTEN:-0.0.0.0:5005}")
[[ -n "$env_file" ]] && args+=(--env-file "$env_file")
echo "[run] tickets-grouping ${args[*]}" >&2
exec build-release/bin/tickets-grouping "${args[@]}"
