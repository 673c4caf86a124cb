#!/usr/bin/env bash
# The parallel Redmine of the concurrency part (bench/redmine_concurrency.py): a second instance
# of the same Debian redmine package (`redmine-instances create`, REDMINE_INSTANCE=tgbench) on
# PostgreSQL (scripts/postgres-local.sh's private cluster), served by several thin processes on
# one database, as a production Redmine runs several Puma or Passenger workers on MySQL or
# PostgreSQL. The local instance cannot be that stand-in: on SQLite, two Redmine processes that
# write at once fail with SQLite3::BusyException (Rails 6.1 opens deferred transactions, and a
# read lock that must become a write lock is not waited for), so a parallel client sees 500s that
# no production Redmine answers.
#
#   bench/redmine_pg.sh start [N]   sets the instance up once (~2 min: migrations, default data,
#                                   the same configuration as scripts/redmine-local.sh), starts N
#                                   thin processes (default 3) on 127.0.0.1:3111.. unless they run;
#                                   prints the env file (REDMINE_URL is the first process)
#   bench/redmine_pg.sh stop        stops them
#
# Needs root. Progress on stderr; only the env file on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly INSTANCE=tgbench
readonly DATABASE=redmine_tgbench
readonly FIRST_PORT=3111
readonly STATE_DIR=/var/lib/tickets-grouping-redmine/pg-bench
readonly ENV_FILE=$STATE_DIR/redmine.env
readonly STAMP=$STATE_DIR/configured
readonly REDMINE_DIR=/usr/share/redmine
readonly RUN_ENV=(env -i "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "LANG=C.UTF-8" "HOME=/var/www"
  "REDMINE_INSTANCE=$INSTANCE" "RAILS_ENV=production")

log() { printf '[redmine-pg] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
as_redmine() { (cd "$REDMINE_DIR" && runuser -u www-data -- "${RUN_ENV[@]}" "$@"); }
pidfile() { echo "/run/tickets-grouping-redmine-pg-$1.pid"; }

ensure_packages() { # Rails' PostgreSQL adapter, and the server of scripts/postgres-local.sh
  local p missing=()
  for p in ruby-pg postgresql; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) || apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_once() {
  [[ -f "$STAMP" ]] && return 0
  local base=/var/lib/tickets-grouping-pg port password
  port=$(cat "$base/port")
  password=$(cat "$base/password")
  PGPASSWORD=$password psql -X -q -h 127.0.0.1 -p "$port" -U tickets_grouping -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1 ||
    PGPASSWORD=$password psql -X -q -h 127.0.0.1 -p "$port" -U tickets_grouping -d postgres \
      -c "CREATE DATABASE $DATABASE ENCODING 'UTF8' TEMPLATE template0"
  "$REDMINE_DIR/bin/redmine-instances" create "$INSTANCE"
  local config=/etc/redmine/$INSTANCE
  (
    umask 027
    cat >"$config/database.yml" <<YAML
production:
  adapter: postgresql
  host: 127.0.0.1
  port: $port
  database: $DATABASE
  username: tickets_grouping
  password: "$password"
  encoding: unicode
  pool: 5
YAML
    [[ -s "$config/secret_key.txt" ]] || head -c 48 /dev/urandom | base64 -w0 >"$config/secret_key.txt"
  )
  chgrp www-data "$config/database.yml" "$config/secret_key.txt"
  log "migrating the $INSTANCE instance's database (PostgreSQL $DATABASE on port $port)"
  # The schema dump goes to a scratch file: /usr/share/redmine/db is the package's, not writable.
  as_redmine SCHEMA=/tmp/tickets-grouping-redmine-pg-schema.rb /usr/bin/ruby bin/rake db:migrate >/dev/null
  as_redmine /usr/bin/ruby bin/rake redmine:load_default_data REDMINE_LANG=ja >/dev/null
  local rb
  rb=$(mktemp /tmp/tickets-grouping-redmine-pg-XXXXXX.rb)
  scripts/redmine-local.sh config-ruby >"$rb"
  cat >>"$rb" <<'RUBY'
puts "TG_ENV REDMINE_API_KEY=#{User.find_by!(login: 'admin').api_key}"
puts "TG_ENV REDMINE_TRACKER_ID=#{Tracker.sorted.first.id}"
puts "TG_ENV REDMINE_STATUS_DONE=#{IssueStatus.where(is_closed: true).sorted.first.id}"
puts "TG_ENV REDMINE_STATUS_CARRYOVER=#{IssueStatus.find_by!(name: ENV.fetch('TG_CARRYOVER_NAME').dup.force_encoding('UTF-8')).id}"
RUBY
  chmod 0644 "$rb"
  local out
  out=$(as_redmine TG_PROJECT_IDENT=alerts TG_PROJECT_NAME=Alerts TG_CARRYOVER_NAME='持ち越し' \
    TG_ADMIN_LOGIN=admin TG_ADMIN_PASSWORD=redmine-local-admin TG_LANGUAGE=ja \
    /usr/bin/ruby bin/rails runner "$rb") || { rm -f "$rb"; die "rails runner failed"; }
  rm -f "$rb"
  install -d -m 0700 "$STATE_DIR"
  {
    echo "REDMINE_URL=http://127.0.0.1:$FIRST_PORT"
    sed -n 's/^TG_ENV //p' <<<"$out"
    echo "REDMINE_PROJECT_ID=alerts"
  } >"$ENV_FILE.new"
  chmod 0600 "$ENV_FILE.new"
  mv "$ENV_FILE.new" "$ENV_FILE"
  touch "$STAMP"
}

answers() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1/" | grep -q 200; }

start_thin() {
  local port=$1
  answers "$port" && return 0
  log "starting thin for the $INSTANCE instance on 127.0.0.1:$port"
  "${RUN_ENV[@]}" start-stop-daemon --start --quiet --background --make-pidfile \
    --pidfile "$(pidfile "$port")" --chuid www-data --chdir "$REDMINE_DIR" \
    --output "/var/log/redmine/$INSTANCE/thin-$port.log" \
    --exec /usr/bin/ruby -- /usr/bin/rackup -E production -s thin -o 127.0.0.1 -p "$port"
}

wait_answers() {
  local deadline=$((SECONDS + 120))
  until answers "$1"; do
    ((SECONDS < deadline)) || die "thin on $1 did not answer within 120 s"
    sleep 0.5
  done
}

cmd_start() {
  local n=${1:-3} i
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || die "usage: $0 start [N]"
  [[ $EUID -eq 0 ]] || die "must run as root"
  ensure_packages
  scripts/postgres-local.sh start >/dev/null
  setup_once
  for ((i = 0; i < n; i++)); do start_thin $((FIRST_PORT + i)); done
  for ((i = 0; i < n; i++)); do wait_answers $((FIRST_PORT + i)); done
  cat "$ENV_FILE"
}

cmd_stop() {
  local f
  for f in /run/tickets-grouping-redmine-pg-*.pid; do
    [[ -e "$f" ]] || continue
    start-stop-daemon --stop --quiet --oknodo --pidfile "$f" --exec /usr/bin/ruby \
      --retry TERM/20/KILL/5 --remove-pidfile
  done
}

case "${1:-}" in
start) shift; cmd_start "$@" ;;
stop) cmd_stop ;;
*) sed -n '2,17s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
