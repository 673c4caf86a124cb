#!/usr/bin/env bash
# The README's first command, `sudo scripts/run.sh ENV_FILE`, as an operator runs it: it installs
# what is missing, builds the service (build-release/), and runs the host with the Redmine sink
# from the env file. Then the README's curl makes a ticket in the real Redmine.
#   run_sh_test.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'pkill -f "build-release/bin/tickets-grouping.*--state-dir $work/state" 2>/dev/null || true; rm -rf "$work"' EXIT

project="runsh-$$-$(date +%s)"
"$source_dir/scripts/redmine-local.sh" new-project "$project" >/dev/null
grep -v '^REDMINE_PROJECT_ID=' /var/lib/tickets-grouping-redmine/redmine.env >"$work/env"
echo "REDMINE_PROJECT_ID=$project" >>"$work/env"

TG_LISTEN=127.0.0.1:$port TG_STATE_DIR=$work/state "$source_dir/scripts/run.sh" "$work/env" >"$work/run.log" 2>&1 &
ready=""
for _ in $(seq 1200); do  # the first build takes minutes
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && { ready=1; break; }
  sleep 0.5
done
[[ -n "$ready" ]] || { echo "scripts/run.sh did not bring the host up"; tail -30 "$work/run.log"; exit 1; }

answer=$(curl -s -XPOST "http://127.0.0.1:$port/webhook" -H 'Content-Type: application/json' \
  -d '{"alerts":[{"labels":{"alertname":"test","instance":"server01"},"annotations":{"description":"test: server01"}}]}')
[[ "$answer" == '{"status":"ok"}' ]] || { echo "webhook answered: $answer"; exit 1; }
set -a
. "$work/env"
set +a
for _ in $(seq 100); do
  issues=$(curl -s -H "X-Redmine-API-Key: $REDMINE_API_KEY" \
    "$REDMINE_URL/issues.json?project_id=$project&status_id=*")
  if [[ $issues == *'"subject":"[Alert] test (server01)"'* ]]; then
    echo "scripts/run.sh: host up on port $port, [Alert] test (server01) created in $project"
    exit 0
  fi
  sleep 0.1
done
echo "no Redmine issue [Alert] test (server01)"
tail -20 "$work/run.log"
exit 1
