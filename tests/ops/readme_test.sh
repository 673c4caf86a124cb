#!/usr/bin/env bash
# The README's "Try it" block, run as pasted (English and Japanese README), against this build's
# host on 127.0.0.1:5005 configured only by an operators' env file for a fresh Redmine project.
#   readme_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true; rm -rf "$work"' EXIT

project="readme-$$-$(date +%s)"
"$source_dir/scripts/redmine-local.sh" new-project "$project" >/dev/null
grep -v '^REDMINE_PROJECT_ID=' /var/lib/tickets-grouping-redmine/redmine.env >"$work/env"
echo "REDMINE_PROJECT_ID=$project" >>"$work/env"
set -a
. "$work/env"
set +a

for readme in README.md README.ja.md; do
  # The first sh block that posts to /webhook, exactly as written.
  awk '/^```sh/{block=""; inside=1; next} /^```/{if (inside && block ~ /\/webhook/) {print block; exit} inside=0; next} inside{block = block $0 "\n"}' \
    "$source_dir/$readme" >"$work/try.sh"
  grep -q 'curl' "$work/try.sh" || { echo "$readme: no curl block to try"; exit 1; }

  rm -rf "$work/state"
  "$build_dir/bin/tickets-grouping" --env-file "$work/env" --state-dir "$work/state" \
    --listen 127.0.0.1:5005 >"$work/host.log" 2>&1 &
  host=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:5005/healthz >/dev/null && break; sleep 0.1; done

  answer=$(bash "$work/try.sh")
  echo "$readme: $answer"
  [[ "$answer" == '{"status":"ok"}' ]] || { cat "$work/host.log"; exit 1; }
  found=""
  for _ in $(seq 100); do
    found=$(curl -s -H "X-Redmine-API-Key: $REDMINE_API_KEY" \
      "$REDMINE_URL/issues.json?project_id=$project&status_id=*&subject=%5BAlert%5D%20test%20(server01)" |
      grep -o '"subject":"\[Alert\] test (server01)"' || true)
    [[ -n "$found" ]] && break
    sleep 0.1
  done
  [[ -n "$found" ]] || { echo "$readme: no Redmine issue [Alert] test (server01)"; cat "$work/host.log"; exit 1; }
  kill "$host"
  wait "$host" || true
done
echo "README curl blocks: ok, one issue [Alert] test (server01) in project $project"
