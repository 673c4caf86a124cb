#!/usr/bin/env bash
# The Debian package end to end (CTest ops.package, label `package`): build the .deb in a build
# directory of its own (prefix /usr), check its contents and dependencies, install it with dpkg,
# run --check-config against the real Redmine with a fresh project, start the service the way
# its unit says (ExecStart, as User=, STATE_DIRECTORY set), post the README's curl payload and
# find the Redmine issue; then purge the package and leave the machine as it was.
#   package_test.sh SOURCE_DIR WORK_DIR
# Exit 77 (skipped) when not root or when tickets-grouping is already installed here.
set -euo pipefail

source_dir=$(cd "$1" && pwd)
work=$2
redmine_env=${TG_REDMINE_ENV_FILE:-/var/lib/tickets-grouping-redmine/redmine.env}
log() { echo "[package_test] $*" >&2; }
fail() { echo "[package_test] FAIL: $*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || { log "skipped: needs root (dpkg -i)"; exit 77; }
# One package test at a time on this machine (other build directories run it too).
exec 9>/run/lock/tickets-grouping-package-test.lock
flock 9
if [[ $(dpkg-query -W -f='${Status}' tickets-grouping 2>/dev/null) == *"install ok installed"* ]]; then
    log "skipped: tickets-grouping is already installed on this machine; not touching it"
    exit 77
fi
[[ -r $redmine_env ]] || fail "no Redmine env file $redmine_env (scripts/redmine-local.sh setup)"

user_existed=0
getent passwd tickets-grouping >/dev/null && user_existed=1
etc_existed=0
[[ -e /etc/tickets-grouping ]] && etc_existed=1
service_pid=""
run_dir=""
cleanup() {
    local rc=$?
    [[ -n $service_pid ]] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null || true
    if [[ $(dpkg-query -W -f='${Status}' tickets-grouping 2>/dev/null) == *@(installed|config-files|half)* ]]; then
        dpkg --purge tickets-grouping >&2 || rc=1
    fi
    if ((!user_existed)) && getent passwd tickets-grouping >/dev/null; then
        deluser --system --quiet tickets-grouping >&2 2>/dev/null || userdel tickets-grouping || rc=1
        getent group tickets-grouping >/dev/null && { delgroup --system --quiet tickets-grouping 2>/dev/null || groupdel tickets-grouping || true; }
    fi
    ((etc_existed)) || rmdir /etc/tickets-grouping 2>/dev/null || true
    [[ -n $run_dir ]] && rm -rf "$run_dir"
    exit $rc
}
trap cleanup EXIT

# 1. Build the package (its own build directory: the paths compiled in must be /usr's).
build=$work/build
mkdir -p "$work"
log "building the package in $build"
cmake -S "$source_dir" -B "$build" -G Ninja -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTG_BUILD_TESTS=OFF -DTG_WERROR=ON >"$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; fail "configure"; }
cmake --build "$build" >"$work/build.log" 2>&1 || { tail -50 "$work/build.log" >&2; fail "build"; }
rm -f "$build"/tickets-grouping_*.deb
(cd "$build" && cpack -G DEB) >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$build"/tickets-grouping_*.deb)
log "built $deb"

# 2. Its contents and control fields.
contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
for path in ./usr/bin/tickets-grouping ./lib/systemd/system/tickets-grouping.service \
    ./usr/lib/$multiarch/tickets-grouping/plugins/redmine_grouping.so \
    ./usr/lib/$multiarch/tickets-grouping/plugins/log_sink.so \
    ./usr/include/tickets_grouping/sink_abi.h ./usr/include/tickets_grouping/sink.hpp \
    ./usr/lib/$multiarch/cmake/TicketsGroupingSdk/TicketsGroupingSdkConfig.cmake \
    ./usr/share/doc/tickets-grouping/README.md \
    ./usr/share/doc/tickets-grouping/examples/env.example \
    ./usr/share/doc/tickets-grouping/examples/routes.yaml \
    ./usr/share/doc/tickets-grouping/examples/prometheus-rules.yml; do
    grep -qxF "$path" <<<"$contents" || fail "the package lacks $path"
done
if grep -q '^\./usr/local\|^\./etc/systemd' <<<"$contents"; then fail "files outside the Debian layout"; fi
depends=$(dpkg-deb --field "$deb" Depends)
log "Depends: $depends"
for dep in adduser tzdata libpoco libyaml-cpp libboost-filesystem libre2 libc6 libstdc++6; do
    grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep"
done
# Captured first: under pipefail, `tar | grep -q` fails whenever grep exits before tar is done.
control_files=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
grep -qx '\./postinst' <<<"$control_files" || fail "no postinst (control: $control_files)"

# 3. Install it.
dpkg -i "$deb" >&2 || fail "dpkg -i"
[[ $(getent passwd tickets-grouping) == *:/usr/sbin/nologin ]] || fail "no tickets-grouping system user"
[[ $(stat -c '%U:%G %a' /etc/tickets-grouping) == "root:tickets-grouping 750" ]] || fail "/etc/tickets-grouping"
/usr/bin/tickets-grouping --help >/dev/null 2>&1 || true

# 4. --check-config against the real Redmine, with a fresh project.
run_dir=$(mktemp -d /tmp/tg-package-test.XXXXXX)
chmod 0755 "$run_dir"
project="pkg-$(date +%s)-$$"
"$source_dir/scripts/redmine-local.sh" new-project "$project" >/dev/null
grep -v '^REDMINE_PROJECT_ID=' "$redmine_env" >"$run_dir/env"
echo "REDMINE_PROJECT_ID=$project" >>"$run_dir/env"
chmod 0644 "$run_dir/env"
check=$(/usr/bin/tickets-grouping --check-config --env-file "$run_dir/env" 2>&1) || { echo "$check" >&2; fail "--check-config"; }
log "--check-config: $check"
grep -q "sink redmine: ok" <<<"$check" || fail "--check-config did not say 'sink redmine: ok'"

# 5. Start the service as its unit says: ExecStart, User=/Group=, EnvironmentFile= (here the test
#    env), STATE_DIRECTORY (systemd's StateDirectory=) in a temporary directory.
unit=/lib/systemd/system/tickets-grouping.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
group=$(sed -n 's/^Group=//p' "$unit")
[[ -n $exec_start && $user == tickets-grouping && $group == tickets-grouping ]] || fail "unit: ExecStart/User/Group"
install -d -m 0750 -o "$user" -g "$group" "$run_dir/state"
port=$(ruby -rsocket -e 's = TCPServer.new("127.0.0.1", 0); puts s.addr[1]; s.close')
log "starting: $exec_start --listen 127.0.0.1:$port (as $user)"
(
    set -a
    . "$run_dir/env"
    set +a
    export STATE_DIRECTORY=$run_dir/state
    # shellcheck disable=SC2086  # ExecStart is split on spaces, as systemd does here
    exec setpriv --reuid="$user" --regid="$group" --init-groups --inh-caps=-all \
        $exec_start --listen "127.0.0.1:$port"
) >"$run_dir/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$run_dir/service.log" >&2; fail "the service did not start"; }

# 6. The README's payload, then the issue in Redmine.
answer=$(curl -s -XPOST "http://127.0.0.1:$port/webhook" -H 'Content-Type: application/json' \
    -d '{"alerts":[{"labels":{"alertname":"test","instance":"server01"},"annotations":{"description":"test: server01"}}]}')
log "webhook answered: $answer"
[[ $answer == '{"status":"ok"}' ]] || fail "webhook answer"
set -a; . "$run_dir/env"; set +a
found=""
for _ in $(seq 1 100); do
    found=$(curl -s -H "X-Redmine-API-Key: $REDMINE_API_KEY" \
        "$REDMINE_URL/issues.json?project_id=$project&status_id=*" |
        ruby -rjson -e 'JSON.parse(STDIN.read)["issues"].each { |i| puts "##{i["id"]} #{i["subject"]}" }')
    grep -q '\[Alert\] test (server01)' <<<"$found" && break
    sleep 0.2
done
log "Redmine project $project: $found"
grep -q '\[Alert\] test (server01)' <<<"$found" || { cat "$run_dir/service.log" >&2; fail "no Redmine issue"; }
[[ $(stat -c %U "$run_dir/state/spool.sqlite3") == tickets-grouping ]] || fail "the spool is not the service user's"
# The sink logs its delivery line after its last request to Redmine (the read-back of the new
# issue), so the issue can be visible a moment before the line is written.
for _ in $(seq 1 100); do
    grep -q 'alert delivered' "$run_dir/service.log" && break
    sleep 0.1
done
grep -q 'alert delivered' "$run_dir/service.log" || { cat "$run_dir/service.log" >&2; fail "no delivery line in the service log"; }

kill "$service_pid"
wait "$service_pid" || fail "the service did not stop cleanly on SIGTERM"
service_pid=""

# 7. Purge: nothing of the package is left.
dpkg --purge tickets-grouping >&2
for path in /usr/bin/tickets-grouping "$unit" /usr/include/tickets_grouping /usr/lib/$multiarch/tickets-grouping \
    /usr/share/doc/tickets-grouping; do
    [[ ! -e $path ]] || fail "$path is still there after the purge"
done
log "ok"
