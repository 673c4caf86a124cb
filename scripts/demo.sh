#!/usr/bin/env bash
# A demo of tickets-grouping with everything real: the project's local Redmine, a real
# Alertmanager and the host, all on 127.0.0.1. Fires a realistic sequence through Alertmanager's
# v2 API and prints what Redmine got.
#   sudo scripts/demo.sh [--keep]
# The sequence, in a fresh Redmine project demo-<timestamp>:
#   1. HighCPU fires on web01                   → "[Alert] HighCPU (web01)"
#   2. HighCPU fires on web02 and web03         → "[Root] [Alert] HighCPU" with the three under it
#   3. DiskFull fires on db01                   → "[Alert] DiskFull (db01)" (a second alert)
#   4. HighCPU on web02 resolves, then fires again with a new startsAt → a 解消 then a 再発 note
#   5. DiskFull on db01 resolves                → a 解消 note
# Redmine keeps running afterwards; Alertmanager and the host are stopped unless --keep.
# Environment: TG_BUILD_DIR (default build), TG_DEMO_SKIP_BUILD=1 to use the binary as it is,
# TG_DEMO_TIMEOUT seconds per step (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

keep=0
case "${1:-}" in
  "") ;;
  --keep) keep=1 ;;
  -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [--keep]" >&2; exit 2 ;;
esac
[[ $EUID -eq 0 ]] || { echo "demo: run as root (it sets up the local Redmine): sudo $0 $*" >&2; exit 1; }

say() { echo "[demo] $*" >&2; }
die() { echo "[demo] ERROR: $*" >&2; exit 1; }
step_timeout=${TG_DEMO_TIMEOUT:-60}

# --- packages, build ---------------------------------------------------------------------------
scripts/install-deps.sh test
build=${TG_BUILD_DIR:-build}
bin=$build/bin/tickets-grouping
if [[ ${TG_DEMO_SKIP_BUILD:-0} != 1 || ! -x $bin ]]; then
  say "building tickets-grouping in $build"
  [[ -f $build/CMakeCache.txt ]] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target tickets-grouping redmine_grouping >&2
fi

# --- Redmine and a fresh project ---------------------------------------------------------------
say "bringing up the local Redmine (scripts/redmine-local.sh setup)"
scripts/redmine-local.sh setup >/dev/null
redmine_env=${REDMINE_ENV_FILE:-/var/lib/tickets-grouping-redmine/redmine.env}
set -a
. "$redmine_env"
set +a
project="demo-$(date +%Y%m%d-%H%M%S)"
scripts/redmine-local.sh new-project "$project" >/dev/null
say "Redmine project $project"

work=$(mktemp -d /tmp/tg-demo.XXXXXX)
host_pid=""
am_pid=""
stop_all() {
  [[ -n $am_pid ]] && kill "$am_pid" 2>/dev/null && wait "$am_pid" 2>/dev/null || true
  [[ -n $host_pid ]] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null || true
  am_pid=""
  host_pid=""
}
on_exit() {
  local rc=$?
  if ((rc != 0)); then
    say "failed; the last lines of the logs in $work:"
    tail -n 15 "$work/host.log" "$work/alertmanager.log" >&2 2>/dev/null || true
  fi
  if ((keep == 0 || rc != 0)); then stop_all; fi
  exit $rc
}
trap on_exit EXIT

free_port() { ruby -rsocket -e 's = TCPServer.new("127.0.0.1", 0); puts s.addr[1]; s.close'; }
host_port=$(free_port)
am_port=$(free_port)

# --- the host ----------------------------------------------------------------------------------
grep -v '^REDMINE_PROJECT_ID=' "$redmine_env" >"$work/env"
echo "REDMINE_PROJECT_ID=$project" >>"$work/env"
chmod 0600 "$work/env"
say "starting tickets-grouping on 127.0.0.1:$host_port (log: $work/host.log)"
"$bin" --env-file "$work/env" --state-dir "$work/state" --listen "127.0.0.1:$host_port" >"$work/host.log" 2>&1 &
host_pid=$!

# --- Alertmanager ------------------------------------------------------------------------------
cat >"$work/alertmanager.yml" <<EOF
route:
  receiver: tickets-grouping
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: tickets-grouping
    webhook_configs:
      - url: http://127.0.0.1:$host_port/webhook
        send_resolved: true
EOF
say "starting Alertmanager on 127.0.0.1:$am_port (log: $work/alertmanager.log)"
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/alertmanager-data" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
am_pid=$!

wait_http() {  # URL
  for _ in $(seq 1 150); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "$1 does not answer"
}
wait_http "http://127.0.0.1:$host_port/readyz"
wait_http "http://127.0.0.1:$am_port/-/ready"

# --- Redmine read-back (REST, with the admin's API key) ------------------------------------------
redmine_get() { curl -sf --max-time 10 -H "X-Redmine-API-Key: $REDMINE_API_KEY" "$REDMINE_URL$1"; }
# Prints "id<TAB>parent<TAB>subject" for every issue of the project.
issues() {
  redmine_get "/issues.json?project_id=$project&status_id=*&limit=100&sort=id" | ruby -rjson -e '
    JSON.parse(STDIN.read)["issues"].each { |i| puts [i["id"], (i["parent"] || {})["id"] || 0, i["subject"]].join("\t") }'
}
issue_id() { issues | awk -F'\t' -v s="$1" '$3 == s { print $1 }'; }
notes_with() {  # ID WORD → how many notes of the issue contain WORD
  redmine_get "/issues/$1.json?include=journals" | WORD="$2" ruby -rjson -e '
    puts JSON.parse(STDIN.read)["issue"]["journals"].count { |j| j["notes"].to_s.include?(ENV["WORD"]) }'
}
wait_for() {  # DESCRIPTION COMMAND...: until the command succeeds
  local what=$1
  shift
  local deadline=$((SECONDS + step_timeout))
  until "$@"; do
    ((SECONDS < deadline)) || die "timed out waiting for: $what"
    sleep 0.5
  done
  say "  ✓ $what"
}
has_issue() { [[ -n $(issue_id "$1") ]]; }
has_parent() {  # SUBJECT PARENT_SUBJECT
  local id parent
  id=$(issue_id "$2")
  [[ -n $id ]] || return 1
  parent=$(issues | awk -F'\t' -v s="$1" '$3 == s { print $2 }')
  [[ $parent == "$id" ]]
}
has_notes() {  # SUBJECT WORD COUNT
  local id
  id=$(issue_id "$1")
  [[ -n $id && $(notes_with "$id" "$2") -ge $3 ]]
}

# --- the sequence, through Alertmanager's v2 API --------------------------------------------------
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
post_alert() {  # ALERTNAME INSTANCE SEVERITY STARTS_AT [ENDS_AT]
  local body
  body=$(NAME=$1 INSTANCE=$2 SEVERITY=$3 STARTS=$4 ENDS=${5:-} ruby -rjson -e '
    a = { labels: { alertname: ENV["NAME"], instance: ENV["INSTANCE"], severity: ENV["SEVERITY"], job: "node" },
          annotations: { summary: "#{ENV["NAME"]} on #{ENV["INSTANCE"]}",
                         description: "#{ENV["NAME"]} on #{ENV["INSTANCE"]} (tickets-grouping demo)" },
          startsAt: ENV["STARTS"], generatorURL: "http://prometheus.example:9090/graph" }
    a[:endsAt] = ENV["ENDS"] unless ENV["ENDS"].empty?
    puts [a].to_json')
  curl -sf -XPOST "http://127.0.0.1:$am_port/api/v2/alerts" -H 'Content-Type: application/json' -d "$body" >/dev/null ||
    die "Alertmanager refused the alert $1 $2"
}

say "1. HighCPU fires on web01"
web01_start=$(now)
post_alert HighCPU web01 warning "$web01_start"
wait_for "[Alert] HighCPU (web01) created" has_issue "[Alert] HighCPU (web01)"

say "2. HighCPU fires on web02 and web03 as well"
web02_start=$(now)
post_alert HighCPU web02 warning "$web02_start"
post_alert HighCPU web03 warning "$web02_start"
post_alert HighCPU web01 warning "$web01_start"  # still firing
wait_for "[Root] [Alert] HighCPU created" has_issue "[Root] [Alert] HighCPU"
for h in web01 web02 web03; do
  wait_for "[Alert] HighCPU ($h) under the Root" has_parent "[Alert] HighCPU ($h)" "[Root] [Alert] HighCPU"
done

say "3. a second alert: DiskFull fires on db01"
db01_start=$(now)
post_alert DiskFull db01 critical "$db01_start"
wait_for "[Alert] DiskFull (db01) created" has_issue "[Alert] DiskFull (db01)"

say "4. HighCPU on web02 resolves, then fires again (a recurrence, new startsAt)"
post_alert HighCPU web02 warning "$web02_start" "$(now)"
wait_for "解消 note on [Alert] HighCPU (web02)" has_notes "[Alert] HighCPU (web02)" 解消 1
sleep 1
post_alert HighCPU web02 warning "$(now)"
wait_for "再発 note on [Alert] HighCPU (web02)" has_notes "[Alert] HighCPU (web02)" 再発 1

say "5. DiskFull on db01 resolves"
post_alert DiskFull db01 critical "$db01_start" "$(now)"
wait_for "解消 note on [Alert] DiskFull (db01)" has_notes "[Alert] DiskFull (db01)" 解消 1

# --- what Redmine has now ----------------------------------------------------------------------
echo
echo "Redmine:   $REDMINE_URL/projects/$project/issues?set_filter=1&status_id=*"
echo "Login:     ${REDMINE_ADMIN_LOGIN:-admin} / ${REDMINE_ADMIN_PASSWORD:-see $redmine_env}"
echo "Project:   $project"
echo
echo "Issues (read back through the REST API):"
PROJECT=$project ruby -rjson -rnet/http -e '
  get = lambda do |path|
    uri = URI(ENV["REDMINE_URL"] + path)
    req = Net::HTTP::Get.new(uri)
    req["X-Redmine-API-Key"] = ENV["REDMINE_API_KEY"]
    JSON.parse(Net::HTTP.start(uri.host, uri.port) { |http| http.request(req) }.body)
  end
  issues = get.call("/issues.json?project_id=#{ENV["PROJECT"]}&status_id=*&limit=100&sort=id")["issues"]
  issues.each do |i|
    i["notes"] = get.call("/issues/#{i["id"]}.json?include=journals")["issue"]["journals"]
                   .map { |j| j["notes"].to_s.lines.first.to_s.strip }.reject(&:empty?)
  end
  ids = issues.map { |i| i["id"] }
  show = lambda do |i, indent|
    mark = indent.length > 2 ? "└ " : ""
    puts "#{indent}#{mark}##{i["id"]} #{i["subject"]}  [#{i["status"]["name"]}]" +
         (i["parent"] ? "  (child of ##{i["parent"]["id"]})" : "")
    i["notes"].each { |n| puts "#{indent}#{" " * mark.length}  note: #{n}" }
    issues.select { |c| c["parent"] && c["parent"]["id"] == i["id"] }.each { |c| show.call(c, indent + "    ") }
  end
  issues.reject { |i| i["parent"] && ids.include?(i["parent"]["id"]) }.each { |i| show.call(i, "  ") }
'
echo
echo "Router metrics (http://127.0.0.1:$host_port/metrics):"
curl -sf "http://127.0.0.1:$host_port/metrics" | grep -E '^tickets_grouping_(sink_redmine_actions_total|deliveries_total)' | sed 's/^/  /'
echo

if ((keep)); then
  trap - EXIT
  echo "Kept running (--keep):"
  echo "  tickets-grouping  http://127.0.0.1:$host_port  pid $host_pid  log $work/host.log"
  echo "  Alertmanager      http://127.0.0.1:$am_port   pid $am_pid  log $work/alertmanager.log"
  echo "  stop them with:   kill $host_pid $am_pid"
else
  stop_all
  echo "Alertmanager and tickets-grouping stopped (logs in $work); Redmine keeps running."
fi
