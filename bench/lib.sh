# Shared by the bench/*.sh parts: the build, starting and stopping hosts, RSS, the machine.
# Sourced, not run. Expects $BUILD (the Release build dir) and $RESULTS (where raw files go).

bench_log() { printf '[bench] %s\n' "$*" >&2; }

# The load of the machine now: other people build and test here, so every figure carries it.
# The load average also counts this benchmark's own threads (and decays over minutes), so beside
# it: how busy the CPUs were during the last second, sampled while the benchmark itself is idle.
load_now() {
  local a b
  a=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat)
  printf '%s, CPU %s%% busy\n' "$(cut -d' ' -f1-3 /proc/loadavg)" \
    "$(awk -v a="$a" -v b="$b" 'BEGIN {split(a, x); split(b, y); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2])}')"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

machine() {
  printf '%s cores, %s, %s GiB RAM, %s; %s; Poco %s, SQLite %s, wrk %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
    "$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" \
    "$(. /etc/os-release && echo "$PRETTY_NAME")" "$(g++ --version | head -1)" \
    "$(dpkg-query -W -f='${Version}' libpoco-dev 2>/dev/null)" "$(sqlite3 --version | cut -d' ' -f1)" \
    "$(dpkg-query -W -f='${Version}' wrk 2>/dev/null)"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_http PORT PATH [SECONDS]: until PATH answers 200.
wait_http() {
  local deadline=$((SECONDS + ${3:-30}))
  until curl -sf -o /dev/null "http://127.0.0.1:$1$2"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.02
  done
}

# start_host NAME PORT ARGS...: the host (or another binary via $HOST_BINARY) in the background;
# its pid in $HOST_PID, its log in $RESULTS/NAME.log.
start_host() {
  local name=$1 port=$2
  shift 2
  "${HOST_BINARY:-$BUILD/bin/tickets-grouping}" "$@" --listen "127.0.0.1:$port" \
    >"$RESULTS/$name.log" 2>&1 &
  HOST_PID=$!
  BENCH_PIDS+=("$HOST_PID")
}

stop_pid() {
  kill "$1" 2>/dev/null || return 0
  wait "$1" 2>/dev/null || true
}

# metric PORT SERIES: a value of /metrics (sum over label sets that start with SERIES), 0 if absent.
metric() {
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk -v s="$2" 'index($0, s) == 1 { v += $NF } END { printf "%d\n", v }'
}

BENCH_PIDS=()
bench_cleanup() { for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
