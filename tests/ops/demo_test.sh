#!/usr/bin/env bash
# CTest ops.demo (label `demo`): scripts/demo.sh with this build's binary; its output must list
# the Root with its three children, the second alert, and the recurrence and resolve notes.
#   demo_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
[[ $EUID -eq 0 ]] || { echo "skipped: scripts/demo.sh needs root" >&2; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
TG_BUILD_DIR=$2 TG_DEMO_SKIP_BUILD=1 "$1/scripts/demo.sh" >"$out"
cat "$out"
# The demo keeps its logs for a person to read; the test removes them.
work=$(sed -n 's/.*(logs in \(\/tmp\/tg-demo\.[A-Za-z0-9]*\)).*/\1/p' "$out")
[[ -n $work ]] && rm -rf "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
root=$(sed -n 's/^  #\([0-9]*\) \[Root\] \[Alert\] HighCPU  .*/\1/p' "$out")
[[ -n $root ]] || fail "no Root listed"
for h in web01 web02 web03; do
  grep -Eq "^      └ #[0-9]+ \[Alert\] HighCPU \($h\)  \[.*\]  \(child of #$root\)$" "$out" || fail "$h is not listed under the Root"
done
grep -Eq '^  #[0-9]+ \[Alert\] DiskFull \(db01\)  ' "$out" || fail "the second alert is not listed"
grep -q 'note: .*再発' "$out" || fail "no 再発 (recurrence) note listed"
[[ $(grep -c 'note: .*解消' "$out") -ge 2 ]] || fail "fewer than two 解消 (resolved) notes listed"
grep -q '^Redmine:   http://' "$out" || fail "no Redmine URL"
grep -q '^Login:     admin / ' "$out" || fail "no login"
grep -q 'tickets_grouping_sink_redmine_actions_total{sink="redmine",action="created"} 5' "$out" ||
  fail "the router's metrics do not show the 5 created issues"
echo "demo_test: ok"
