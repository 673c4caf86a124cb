#!/usr/bin/env bash
# postgres-local.sh: a private PostgreSQL 15 (Debian's server binaries) on 127.0.0.1 for the tests
# of the PostgreSQL store. It has its own data directory and port and leaves the system's cluster
# (pg_lsclusters) alone.
#
#   postgres-local.sh start   init the cluster once, start it unless it runs, ensure the test role and
#                             database; prints the store URL
#   postgres-local.sh url     prints the store URL (runs start when the server does not answer)
#   postgres-local.sh stop    stops the server
#
# The URL is postgresql://tickets_grouping@127.0.0.1:PORT/tickets_grouping_test?password_file=FILE;
# FILE (mode 0600) holds the role's password, generated once. The role may create databases, so a
# test can make a fresh one of its own. Only the URL goes to stdout; progress goes to stderr.
#
# As root the server runs as the `postgres` user in /var/lib/tickets-grouping-pg; as another user it
# runs as that user in ${XDG_RUNTIME_DIR:-/tmp}/tickets-grouping-pg-UID.
set -euo pipefail

readonly PG_BIN="${TG_PG_BIN:-/usr/lib/postgresql/15/bin}"
readonly ROLE=tickets_grouping
readonly DATABASE=tickets_grouping_test
readonly WANTED_PORT="${TG_PG_PORT:-55432}"
if [[ $EUID -eq 0 ]]; then
  readonly BASE="${TG_PG_DIR:-/var/lib/tickets-grouping-pg}"
  readonly RUN_AS=(runuser -u postgres --)
  readonly OWNER=postgres
else
  readonly BASE="${TG_PG_DIR:-${XDG_RUNTIME_DIR:-/tmp}/tickets-grouping-pg-$EUID}"
  readonly RUN_AS=()
  readonly OWNER="$(id -un)"
fi
readonly DATA="$BASE/data"          # the cluster, owned by $OWNER, mode 0700
readonly SOCKET_DIR="$BASE/run"     # the server's Unix socket (the script's own admin access)
readonly PASSWORD_FILE="$BASE/password"
readonly PORT_FILE="$BASE/port"
readonly SERVER_LOG="$BASE/server.log"

log() { printf '[postgres-local] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_owner() { "${RUN_AS[@]}" "$@"; }
port() { cat "$PORT_FILE"; }
url() { printf 'postgresql://%s@127.0.0.1:%s/%s?password_file=%s\n' "$ROLE" "$(port)" "$DATABASE" "$PASSWORD_FILE"; }
psql_admin() {  # psql_admin DB ARGS... as the cluster's superuser over the Unix socket (trust)
  local db=$1
  shift
  as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$(port)" -U "$OWNER" -d "$db" "$@"
}
running() { [[ -f "$PORT_FILE" && -f "$DATA/PG_VERSION" ]] && as_owner "$PG_BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

init_cluster() {
  [[ -x "$PG_BIN/initdb" ]] || die "$PG_BIN/initdb not found: install postgresql (scripts/install-deps.sh)"
  mkdir -p "$BASE"
  chmod 0755 "$BASE"
  if [[ ! -s "$PASSWORD_FILE" ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PASSWORD_FILE")
  fi
  chmod 0600 "$PASSWORD_FILE"
  if [[ -f "$DATA/PG_VERSION" ]]; then
    return 0
  fi
  log "initialising a cluster in $DATA"
  rm -rf "$DATA"
  mkdir -p "$DATA" "$SOCKET_DIR"
  chown "$OWNER" "$DATA" "$SOCKET_DIR"
  chmod 0700 "$DATA"
  # Local socket: trust (only this script uses it); TCP: password (what the tests and hosts use).
  as_owner "$PG_BIN/initdb" -D "$DATA" -U "$OWNER" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >&2
  cat >>"$DATA/postgresql.conf" <<EOF
# tickets-grouping tests (scripts/postgres-local.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCKET_DIR'
max_connections = 200
fsync = on
log_min_messages = warning
EOF
}

choose_port() {
  local p=$WANTED_PORT
  if [[ -s "$PORT_FILE" ]]; then
    p=$(port)
  fi
  while port_in_use "$p"; do
    p=$((p + 1))
    ((p < WANTED_PORT + 100)) || die "no free port from $WANTED_PORT"
  done
  echo "$p" >"$PORT_FILE"
}

ensure_role_and_database() {
  local password
  password=$(cat "$PASSWORD_FILE")
  psql_admin postgres -v role="$ROLE" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'role', :'password') \gexec
SQL
  psql_admin postgres -v role="$ROLE" -v db="$DATABASE" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}

start() {
  exec 9>"${BASE%/}.lock"
  flock 9
  if running; then
    url
    return 0
  fi
  init_cluster
  mkdir -p "$SOCKET_DIR"
  chown "$OWNER" "$SOCKET_DIR"
  choose_port
  log "starting PostgreSQL on 127.0.0.1:$(port)"
  touch "$SERVER_LOG"
  chown "$OWNER" "$SERVER_LOG"
  # The server must not inherit the lock (fd 9) nor any pipe of the caller: CTest would wait for it.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    exec "${RUN_AS[@]}" "$PG_BIN/pg_ctl" start -D "$DATA" -l "$SERVER_LOG" -w -t 60 -o "-p $(port)" </dev/null >&2
  ) ||
    { tail -20 "$SERVER_LOG" >&2; die "the server did not start"; }
  ensure_role_and_database
  url
}

stop() {
  if running; then
    as_owner "$PG_BIN/pg_ctl" stop -D "$DATA" -m fast -w >&2
  else
    log "not running"
  fi
}

case "${1:-}" in
  start) start ;;
  url) if running; then url; else start; fi ;;
  stop) stop ;;
  *) echo "usage: $0 start|url|stop" >&2; exit 2 ;;
esac
