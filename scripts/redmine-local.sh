#!/usr/bin/env bash
# redmine-local.sh: a real local Redmine (Debian's redmine 5.0 package, SQLite, thin) for the
# tests and the demo of tickets-grouping. See scripts/README.md.
#
#   redmine-local.sh setup              install + configure + start + snapshot; prints the env file
#   redmine-local.sh env                prints the env file (runs setup when Redmine does not answer)
#   redmine-local.sh stop               stops the server started by this script
#   redmine-local.sh reset              stop, restore the clean snapshot, start again
#   redmine-local.sh new-project IDENT  creates a fresh public project via REST, prints its numeric id
#   redmine-local.sh fixtures           objects the field-mapping tests need (custom fields, a user, a
#                                       group, group assignment on); prints and writes fixtures.env;
#                                       and the bot users of the least-privilege tests (bots.env)
#   redmine-local.sh runner FILE [NAME=VALUE...]
#                                       runs a Ruby FILE with bin/rails runner as www-data (the tests'
#                                       rendering through Redmine's formatters); prints its output
#   redmine-local.sh config-ruby        prints the configuration's rails runner script (for another
#                                       Redmine instance: bench/redmine_pg.sh)
#
# Only the env file (setup, env, fixtures), the project id (new-project) or the runner's output go to
# stdout; progress goes to stderr.
set -euo pipefail

readonly PORT="${REDMINE_PORT:-3100}"
readonly STATE_DIR=/var/lib/tickets-grouping-redmine
readonly ENV_FILE="${REDMINE_ENV_FILE:-$STATE_DIR/redmine.env}"
readonly CLEAN_DB="$STATE_DIR/clean.sqlite3"
readonly FIXTURES_ENV="$STATE_DIR/fixtures.env"
readonly BOTS_ENV="$STATE_DIR/bots.env" # API keys of the least-privilege bot users: 0600
readonly CONFIG_STAMP="$STATE_DIR/configured.sha256"
readonly PIDFILE=/run/tickets-grouping-redmine.pid
readonly SERVER_LOG=/var/log/redmine/tickets-grouping-thin.log
readonly REDMINE_DIR=/usr/share/redmine
readonly DATABASE_YML=/etc/redmine/default/database.yml
readonly RUBY=/usr/bin/ruby
readonly RACKUP=/usr/bin/rackup
readonly WAIT_SECONDS="${REDMINE_WAIT_SECONDS:-90}"
readonly BASE_URL="http://127.0.0.1:$PORT"
readonly PROJECT_IDENT=alerts
readonly PROJECT_NAME=Alerts
readonly CARRYOVER_NAME='持ち越し'
readonly LANGUAGE_CODE=ja
readonly ADMIN_LOGIN=admin
readonly ADMIN_PASSWORD="${REDMINE_ADMIN_PASSWORD:-redmine-local-admin}"
readonly PACKAGES=(redmine redmine-sqlite thin sqlite3 curl)
# A clean environment for everything that runs as www-data (the caller's shell may carry pyenv,
# bundler or locale settings that Debian's Redmine must not see).
readonly RUN_ENV=(env -i "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "LANG=C.UTF-8" "HOME=/var/www"
  "REDMINE_INSTANCE=default" "RAILS_ENV=production")

log() { printf '[redmine-local] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() { [[ $EUID -eq 0 ]] || die "must run as root (apt-get, start-stop-daemon --chuid www-data)"; }

# ---------------------------------------------------------------- install

pkg_installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }

pkg_installable() {
  local candidate
  candidate="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2; exit }')"
  [[ -n "$candidate" && "$candidate" != "(none)" ]]
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  log "installing ${missing[*]} (one apt-get transaction, ~1-2 min from scratch)"
  for p in "${missing[@]}"; do
    if ! pkg_installable "$p"; then
      log "package lists lack $p: apt-get update"
      apt-get update -qq >&2
      break
    fi
  done
  # dbconfig-common: SQLite, one instance "default", Japanese default data. default-language MUST be
  # preseeded as type string: as select it silently loads the English data (and ja cannot be loaded
  # on top later).
  debconf-set-selections <<EOF
redmine redmine/current-instances string default
redmine redmine/instances/default/dbconfig-install boolean true
redmine redmine/instances/default/database-type select sqlite3
redmine redmine/instances/default/default-language string $LANGUAGE_CODE
EOF
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >&2
  local p2
  for p2 in "${PACKAGES[@]}"; do pkg_installed "$p2" || die "package $p2 did not install"; done
}

# ---------------------------------------------------------------- database

db_file() {
  [[ -r "$DATABASE_YML" ]] || die "$DATABASE_YML missing: is redmine installed (setup)?"
  local dir name
  # database.yml (dbconfig-common, sqlite3): database: redmine_default / dbfile dir in "database" or
  # an absolute path; handle both forms.
  name="$(awk -F': *' '$1 ~ /^[[:space:]]*database$/ { gsub(/["'\'' ]/, "", $2); print $2; exit }' "$DATABASE_YML")"
  [[ -n "$name" ]] || die "no database: line in $DATABASE_YML"
  if [[ "$name" == /* ]]; then
    printf '%s\n' "$name"
  else
    dir="/var/lib/dbconfig-common/sqlite3/redmine/instances/default"
    printf '%s\n' "$dir/$name"
  fi
}

# sql QUERY: one read-only query against the live database, '|'-separated rows on stdout.
sql() { sqlite3 -readonly -batch -noheader -cmd '.timeout 10000' "$DB" "$1"; }

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

api_key() {
  sql "SELECT value FROM tokens WHERE action = 'api' AND user_id = (SELECT id FROM users WHERE login = $(sql_quote "$ADMIN_LOGIN") AND type = 'User') ORDER BY id LIMIT 1;"
}

# The values the env file and the tests need, read back from the database itself.
tracker_id() { sql "SELECT id FROM trackers ORDER BY position, id LIMIT 1;"; }
status_done_id() { sql "SELECT id FROM issue_statuses WHERE is_closed = 1 ORDER BY position, id LIMIT 1;"; }
status_carryover_id() { sql "SELECT id FROM issue_statuses WHERE name = $(sql_quote "$CARRYOVER_NAME");"; }

sha1() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }

# Redmine's User#check_password?: SHA1(salt + SHA1(password)) == hashed_password.
admin_password_ok() {
  local row salt hashed must_change status
  row="$(sql "SELECT salt, hashed_password, must_change_passwd, status FROM users WHERE login = $(sql_quote "$ADMIN_LOGIN") AND type = 'User';")"
  IFS='|' read -r salt hashed must_change status <<<"$row"
  [[ -n "$hashed" && "$must_change" == 0 && "$status" == 1 ]] || return 1
  [[ "$(sha1 "$salt$(sha1 "$ADMIN_PASSWORD")")" == "$hashed" ]]
}

# Everything configure() establishes, checked in one SQLite query (milliseconds, against ~5 s for a
# rails runner): lets a second setup skip the runner.
config_ok() {
  local q
  q="SELECT
  (SELECT value FROM settings WHERE name = 'rest_api_enabled') = '1'
  AND (SELECT trim(value, char(10, 13, 32)) FROM settings WHERE name = 'notified_events') = '--- []'
  AND (SELECT value FROM settings WHERE name = 'default_language') = $(sql_quote "$LANGUAGE_CODE")
  AND EXISTS (SELECT 1 FROM tokens WHERE action = 'api' AND user_id = (SELECT id FROM users WHERE login = $(sql_quote "$ADMIN_LOGIN") AND type = 'User'))
  AND EXISTS (SELECT 1 FROM projects WHERE identifier = $(sql_quote "$PROJECT_IDENT") AND name = $(sql_quote "$PROJECT_NAME") AND is_public = 1 AND status = 1)
  AND (SELECT count(*) FROM trackers) > 0
  AND (SELECT count(*) FROM projects_trackers WHERE project_id = (SELECT id FROM projects WHERE identifier = $(sql_quote "$PROJECT_IDENT"))) = (SELECT count(*) FROM trackers)
  AND EXISTS (SELECT 1 FROM enabled_modules WHERE name = 'issue_tracking' AND project_id = (SELECT id FROM projects WHERE identifier = $(sql_quote "$PROJECT_IDENT")))
  AND EXISTS (SELECT 1 FROM issue_statuses WHERE name = $(sql_quote "$CARRYOVER_NAME") AND is_closed = 0)
  AND EXISTS (SELECT 1 FROM members m JOIN member_roles mr ON mr.member_id = m.id
              WHERE m.user_id = (SELECT id FROM users WHERE login = $(sql_quote "$ADMIN_LOGIN") AND type = 'User')
                AND m.project_id = (SELECT id FROM projects WHERE identifier = $(sql_quote "$PROJECT_IDENT")))
  AND (SELECT count(*) FROM (SELECT DISTINCT role_id, tracker_id, old_status_id, new_status_id FROM workflows
         WHERE type = 'WorkflowTransition' AND author = 0 AND assignee = 0 AND old_status_id <> new_status_id
           AND role_id IN (SELECT id FROM roles) AND tracker_id IN (SELECT id FROM trackers)
           AND old_status_id IN (SELECT id FROM issue_statuses) AND new_status_id IN (SELECT id FROM issue_statuses)))
      = (SELECT count(*) FROM roles) * (SELECT count(*) FROM trackers)
        * (SELECT count(*) FROM issue_statuses) * ((SELECT count(*) FROM issue_statuses) - 1);"
  [[ "$(sql "$q")" == 1 ]] && admin_password_ok
}

# ---------------------------------------------------------------- configure (one rails runner)

config_ruby() {
  cat <<'RUBY'
# Generated by scripts/redmine-local.sh; run with bin/rails runner as www-data. Idempotent.
ActionMailer::Base.perform_deliveries = false   # this process only: no mail for the password change
ActionMailer::Base.delivery_method = :test

PROJECT_IDENT = ENV.fetch('TG_PROJECT_IDENT')
PROJECT_NAME = ENV.fetch('TG_PROJECT_NAME').dup.force_encoding('UTF-8')
CARRYOVER_NAME = ENV.fetch('TG_CARRYOVER_NAME').dup.force_encoding('UTF-8')
ADMIN_LOGIN = ENV.fetch('TG_ADMIN_LOGIN')
password = ENV.fetch('TG_ADMIN_PASSWORD').dup.force_encoding('UTF-8')

ActiveRecord::Base.transaction do
  Setting.rest_api_enabled = '1'
  Setting.notified_events = []
  # The package's default-language question only picks the language of the default data (バグ, 終了...);
  # the application's default language (UI, API error texts) stays 'en' unless set here.
  Setting.default_language = ENV.fetch('TG_LANGUAGE')

  admin = User.find_by!(login: ADMIN_LOGIN)
  unless admin.check_password?(password)
    admin.password = password
    admin.password_confirmation = password
  end
  admin.must_change_passwd = false
  admin.status = User::STATUS_ACTIVE
  admin.admin = true
  admin.save! if admin.changed? || admin.password.present?
  admin.api_key # creates the API token when absent

  trackers = Tracker.sorted.to_a
  raise 'no trackers: default data not loaded' if trackers.empty?

  project = Project.find_by(identifier: PROJECT_IDENT) ||
            Project.new(identifier: PROJECT_IDENT, name: PROJECT_NAME, is_public: true)
  project.name = PROJECT_NAME
  project.is_public = true
  project.save! if project.new_record? || project.changed?
  project.trackers = trackers unless project.tracker_ids.sort == trackers.map(&:id).sort
  unless project.enabled_module_names.include?('issue_tracking')
    project.enabled_module_names = project.enabled_module_names + ['issue_tracking']
  end

  carryover = IssueStatus.find_by(name: CARRYOVER_NAME) || IssueStatus.new(name: CARRYOVER_NAME)
  carryover.is_closed = false
  carryover.save! if carryover.new_record? || carryover.changed?

  # Every role x tracker: every status -> every other status. Without a transition the REST API
  # answers 204 to a status change and silently keeps the old status.
  statuses = IssueStatus.sorted.to_a
  existing = WorkflowTransition.where(author: false, assignee: false)
                               .pluck(:role_id, :tracker_id, :old_status_id, :new_status_id)
                               .map { |r| r.join(':') }.to_set
  added = 0
  Role.all.each do |role|
    trackers.each do |tracker|
      statuses.each do |from|
        statuses.each do |to|
          next if from.id == to.id
          next if existing.include?([role.id, tracker.id, from.id, to.id].join(':'))
          WorkflowTransition.create!(role_id: role.id, tracker_id: tracker.id, old_status_id: from.id,
                                     new_status_id: to.id, author: false, assignee: false)
          added += 1
        end
      end
    end
  end

  # The admin may do everything anyway; a Manager membership keeps it working if that changes.
  manager = Role.givable.sorted.first or raise 'no givable role'
  member = Member.find_by(project_id: project.id, user_id: admin.id)
  if member.nil?
    member = Member.new(project: project, principal: admin)
    member.role_ids = [manager.id]
    member.save!
  elsif member.role_ids.empty?
    member.role_ids = [manager.id]
    member.save!
  end

  puts "TG_CONFIGURED project=#{project.id} status=#{carryover.id} transitions_added=#{added}"
end
RUBY
}

config_hash() { { config_ruby; printf '%s\n' "$ADMIN_LOGIN" "$ADMIN_PASSWORD" "$PROJECT_IDENT" "$PROJECT_NAME" "$CARRYOVER_NAME" "$LANGUAGE_CODE"; } | sha256sum | cut -d' ' -f1; }

CONFIGURED_NOW=0 # set to 1 by configure when it ran the rails runner

configure() {
  if [[ -f "$CONFIG_STAMP" && "$(cat "$CONFIG_STAMP")" == "$(config_hash)" ]] && config_ok; then
    log "configuration already in place (REST API, project $PROJECT_IDENT, status $CARRYOVER_NAME, workflows)"
    return 0
  fi
  ((${#ADMIN_PASSWORD} >= 8)) || die "REDMINE_ADMIN_PASSWORD must have at least 8 characters"
  log "configuring Redmine (one rails runner, ~5 s)"
  local rb out
  rb="$(mktemp /tmp/tickets-grouping-redmine-XXXXXX.rb)"
  config_ruby >"$rb"
  chmod 0644 "$rb"
  if ! out="$(cd "$REDMINE_DIR" && runuser -u www-data -- "${RUN_ENV[@]}" "TG_ADMIN_PASSWORD=$ADMIN_PASSWORD" \
    "TG_ADMIN_LOGIN=$ADMIN_LOGIN" "TG_PROJECT_IDENT=$PROJECT_IDENT" "TG_PROJECT_NAME=$PROJECT_NAME" \
    "TG_CARRYOVER_NAME=$CARRYOVER_NAME" "TG_LANGUAGE=$LANGUAGE_CODE" "$RUBY" bin/rails runner "$rb" 2>&1)"; then
    rm -f "$rb"
    printf '%s\n' "$out" >&2
    die "rails runner failed"
  fi
  rm -f "$rb"
  grep -q '^TG_CONFIGURED ' <<<"$out" || { printf '%s\n' "$out" >&2; die "rails runner did not finish"; }
  log "$(grep '^TG_CONFIGURED ' <<<"$out")"
  config_ok || die "configuration check failed after rails runner"
  config_hash >"$CONFIG_STAMP"
  CONFIGURED_NOW=1
}

snapshot_once() {
  [[ -s "$CLEAN_DB" ]] && return 0
  log "taking the clean snapshot $CLEAN_DB"
  sqlite3 -cmd '.timeout 10000' "$DB" ".backup '$CLEAN_DB.tmp'"
  chmod 0640 "$CLEAN_DB.tmp"
  mv -f "$CLEAN_DB.tmp" "$CLEAN_DB"
}

# ---------------------------------------------------------------- server

http_code() { # http_code PATH [API_KEY] -> status code, 000 when nothing answers
  local code headers=()
  [[ -z "${2:-}" ]] || headers=(-H "X-Redmine-API-Key: $2")
  code="$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "${headers[@]}" "$BASE_URL$1")" || true
  printf '%s\n' "${code:-000}"
}

# Redmine answers and accepts the key. /users/current.json, because a wrong key on /issues.json is
# served as the anonymous user (200 on public projects).
answers() { [[ "$(http_code /users/current.json "$1")" == 200 ]]; }

our_pid() { # prints the pid of the server this script started, if it still runs
  local pid
  [[ -s "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(readlink -f "/proc/$pid/exe")" == "$(readlink -f "$RUBY")" ]] || return 1
  printf '%s\n' "$pid"
}

start_server() { # start_server API_KEY
  local key="$1" pid=
  if answers "$key"; then
    log "Redmine already answers on $BASE_URL"
    return 0
  fi
  if ! pid="$(our_pid)"; then
    [[ "$(http_code /)" == 000 ]] || die "port $PORT is taken by something that is not this Redmine"
    log "starting Redmine (thin) on $BASE_URL, log $SERVER_LOG"
    [[ -d "$(dirname "$SERVER_LOG")" ]] || install -d -m 0755 "$(dirname "$SERVER_LOG")"
    [[ -e "$SERVER_LOG" ]] || install -o www-data -g adm -m 0640 /dev/null "$SERVER_LOG"
    "${RUN_ENV[@]}" start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$PIDFILE" \
      --chuid www-data --chdir "$REDMINE_DIR" --output "$SERVER_LOG" \
      --exec "$RUBY" -- "$RACKUP" -E production -s thin -o 127.0.0.1 -p "$PORT"
    pid="$(cat "$PIDFILE")"
  fi
  local deadline=$((SECONDS + WAIT_SECONDS))
  until answers "$key"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$SERVER_LOG" >&2 || true
      die "Redmine (pid $pid) exited while starting"
    fi
    ((SECONDS < deadline)) || { tail -n 30 "$SERVER_LOG" >&2 || true; die "Redmine did not answer 200 within ${WAIT_SECONDS}s"; }
    sleep 0.5
  done
  log "Redmine answers on $BASE_URL (pid $pid)"
}

stop_server() {
  if [[ -e "$PIDFILE" ]]; then
    log "stopping Redmine (pidfile $PIDFILE)"
    start-stop-daemon --stop --quiet --oknodo --pidfile "$PIDFILE" --exec "$RUBY" \
      --retry TERM/20/KILL/5 --remove-pidfile
  else
    log "no pidfile $PIDFILE: nothing to stop"
  fi
}

# ---------------------------------------------------------------- env file

write_env() {
  local key tracker st_done carry tmp
  key="$(api_key)"
  tracker="$(tracker_id)"
  st_done="$(status_done_id)"
  carry="$(status_carryover_id)"
  [[ -n "$key" && -n "$tracker" && -n "$st_done" && -n "$carry" ]] || die "missing values for the env file"
  install -d -m 0755 "$(dirname "$ENV_FILE")"
  tmp="$(mktemp "$ENV_FILE.XXXXXX")"
  chmod 0600 "$tmp"
  cat >"$tmp" <<EOF
REDMINE_URL=$BASE_URL
REDMINE_API_KEY=$key
REDMINE_PROJECT_ID=$PROJECT_IDENT
REDMINE_TRACKER_ID=$tracker
REDMINE_STATUS_DONE=$st_done
REDMINE_STATUS_CARRYOVER=$carry
REDMINE_ADMIN_LOGIN=$ADMIN_LOGIN
REDMINE_ADMIN_PASSWORD=$ADMIN_PASSWORD
EOF
  if [[ -f "$ENV_FILE" ]] && cmp -s "$tmp" "$ENV_FILE"; then
    rm -f "$tmp"
    chmod 0600 "$ENV_FILE"
  else
    mv -f "$tmp" "$ENV_FILE"
  fi
}

env_value() { # env_value KEY -> value from the env file
  [[ -r "$ENV_FILE" ]] || return 1
  sed -n "/^$1=/{s///p;q}" "$ENV_FILE"
}

# ---------------------------------------------------------------- subcommands

cmd_setup() {
  need_root
  install_packages
  DB="$(db_file)"
  [[ -f "$DB" ]] || die "database $DB missing (dbconfig-common did not create it?)"
  install -d -m 0755 "$STATE_DIR"
  configure
  snapshot_once
  start_server "$(api_key)"
  write_env
  cat "$ENV_FILE"
}

cmd_env() {
  local key
  if key="$(env_value REDMINE_API_KEY)" && [[ -n "$key" ]] &&
    [[ "$(env_value REDMINE_URL)" == "$BASE_URL" ]] && answers "$key"; then
    cat "$ENV_FILE"
  else
    log "Redmine does not answer with the key of $ENV_FILE: running setup"
    cmd_setup
  fi
}

cmd_stop() {
  need_root
  stop_server
}

cmd_reset() {
  need_root
  DB="$(db_file)"
  [[ -s "$CLEAN_DB" ]] || { log "no clean snapshot yet: running setup instead"; cmd_setup; return; }
  stop_server
  local owner mode
  owner="$(stat -c '%U:%G' "$DB")"
  mode="$(stat -c '%a' "$DB")"
  log "restoring $CLEAN_DB into $DB"
  rm -f "$DB-journal" "$DB-wal" "$DB-shm"
  sqlite3 -batch "$DB" ".restore '$CLEAN_DB'"
  chown "$owner" "$DB"
  chmod "$mode" "$DB"
  configure
  if ((CONFIGURED_NOW)); then
    # The snapshot predates a change of this script's configuration: the DB is clean and freshly
    # configured right now, so it becomes the new snapshot.
    rm -f "$CLEAN_DB"
    snapshot_once
  fi
  start_server "$(api_key)"
  write_env
}

cmd_new_project() {
  local ident="${1:-}"
  # Redmine's own rule: 1-100 of a-z 0-9 - _, not only digits.
  [[ "$ident" =~ ^[a-z0-9_-]{1,100}$ && ! "$ident" =~ ^[0-9]+$ ]] ||
    die "usage: $0 new-project IDENT (1-100 of a-z 0-9 - _, not only digits)"
  cmd_env >/dev/null
  local url key trackers body resp code
  url="$(env_value REDMINE_URL)"
  key="$(env_value REDMINE_API_KEY)"
  trackers="$(curl -sf --max-time 10 -H "X-Redmine-API-Key: $key" "$url/trackers.json" |
    "$RUBY" -rjson -e 'puts JSON.parse(STDIN.read)["trackers"].map { |t| t["id"] }.to_json')" ||
    die "GET /trackers.json failed"
  body="$(IDENT="$ident" TRACKERS="$trackers" "$RUBY" -rjson -e '
    puts({ project: { name: ENV["IDENT"], identifier: ENV["IDENT"], is_public: true,
                      tracker_ids: JSON.parse(ENV["TRACKERS"]),
                      enabled_module_names: ["issue_tracking"] } }.to_json)')"
  resp="$(mktemp)"
  code="$(curl -s --max-time 30 -o "$resp" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "X-Redmine-API-Key: $key" --data-binary "$body" "$url/projects.json")" || code=000
  if [[ "$code" != 201 ]]; then
    log "POST /projects.json answered $code: $(cat "$resp")"
    rm -f "$resp"
    die "could not create project $ident"
  fi
  "$RUBY" -rjson -e 'puts JSON.parse(File.read(ARGV[0]))["project"]["id"]' "$resp"
  rm -f "$resp"
}

# ---------------------------------------------------------------- fixtures (one rails runner)

# Custom fields cannot be created through the REST API, nor can group assignment be switched on:
# rails runner, as for the configuration. Existing objects are kept (found by name).
fixtures_ruby() {
  cat <<'RUBY'
# Generated by scripts/redmine-local.sh fixtures; run with bin/rails runner as www-data. Idempotent.
ActiveRecord::Base.transaction do
  Setting.issue_group_assignment = '1'  # lets an issue be assigned to a group
  trackers = Tracker.sorted.to_a
  field = lambda do |name, for_all|
    cf = IssueCustomField.find_by(name: name) || IssueCustomField.new(name: name)
    cf.field_format = 'string'
    cf.is_for_all = for_all
    cf.is_filter = true     # cf_N= in /issues.json only works for fields "used as a filter"
    cf.searchable = true
    cf.visible = true
    cf.trackers = trackers
    cf.save! if cf.new_record? || cf.changed?
    cf.trackers = trackers unless cf.tracker_ids.sort == trackers.map(&:id).sort
    cf
  end
  key = field.call('tg_alert_key', true)
  namespace = field.call('tg_namespace', true)
  disabled = field.call('tg_not_enabled', false) # enabled for no project: Redmine drops its value

  user = User.find_by(login: 'tg-oncall') || User.new(firstname: 'Oncall', lastname: 'Person',
                                                         mail: 'tg-oncall@example.invalid')
  user.login = 'tg-oncall'
  user.status = User::STATUS_ACTIVE
  user.mail_notification = 'none'
  if user.new_record?
    user.password = user.password_confirmation = SecureRandom.hex(16)
    user.save!
  end
  group = Group.find_by(lastname: 'tg-oncall-team') || Group.create!(lastname: 'tg-oncall-team')
  group.users << user unless group.users.include?(user)

  puts "TG_FIXTURE_CF_ALERT_KEY=#{key.id}"
  puts "TG_FIXTURE_CF_NAMESPACE=#{namespace.id}"
  puts "TG_FIXTURE_CF_NOT_ENABLED=#{disabled.id}"
  puts "TG_FIXTURE_USER_ID=#{user.id}"
  puts "TG_FIXTURE_USER_LOGIN=#{user.login}"
  puts "TG_FIXTURE_USER_NAME=#{user.name}"
  puts "TG_FIXTURE_GROUP_ID=#{group.id}"
  puts "TG_FIXTURE_GROUP_NAME=#{group.lastname}"

  # Bot users as operators give the router (docs/operators-guide.md, "A least-privilege API
  # user"): one with the documented minimal role, one whose role lacks manage_subtasks.
  statuses = IssueStatus.sorted.to_a
  minimal = %i[view_issues add_issues edit_own_issues add_issue_notes manage_subtasks]
  { 'MINIMAL' => ['tg-bot', 'tg-bot-minimal', minimal],
    'RESTRICTED' => ['tg-bot-restricted', 'tg-bot-no-subtasks', minimal - [:manage_subtasks]] }
    .each do |name, (login, role_name, permissions)|
    role = Role.find_by(name: role_name) || Role.new(name: role_name)
    role.permissions = permissions
    role.issues_visibility = 'default'
    role.assignable = false
    role.save! if role.new_record? || role.changed?
    trackers.each do |tracker|
      statuses.each do |from|
        statuses.each do |to|
          next if from == to
          WorkflowTransition.find_or_create_by!(role_id: role.id, tracker_id: tracker.id,
                                                old_status_id: from.id, new_status_id: to.id,
                                                author: false, assignee: false)
        end
      end
    end
    user = User.find_by(login: login) || User.new(firstname: 'Alert router', lastname: login,
                                                  mail: "#{login}@example.invalid")
    user.login = login
    user.status = User::STATUS_ACTIVE
    user.admin = false
    user.mail_notification = 'none'
    if user.new_record?
      user.password = user.password_confirmation = SecureRandom.hex(16)
      user.save!
    end
    user.pref.auto_watch_on = [] if user.pref.respond_to?(:auto_watch_on=)  # watches nothing by itself
    user.pref.save!
    puts "TG_BOT_#{name}_LOGIN=#{user.login}"
    puts "TG_BOT_#{name}_ID=#{user.id}"
    puts "TG_BOT_#{name}_ROLE_ID=#{role.id}"
    puts "TG_BOT_#{name}_KEY=#{user.api_key}"
  end
end
RUBY
}

fixtures_ok() { # the recorded custom field and user still exist (a reset drops them)
  local key cf user
  [[ -s "$FIXTURES_ENV" ]] || return 1
  key="$(env_value REDMINE_API_KEY)" || return 1
  cf="$(sed -n 's/^TG_FIXTURE_CF_ALERT_KEY=//p' "$FIXTURES_ENV")"
  user="$(sed -n 's/^TG_FIXTURE_USER_ID=//p' "$FIXTURES_ENV")"
  [[ -n "$cf" && -n "$user" ]] || return 1
  curl -sf --max-time 10 -H "X-Redmine-API-Key: $key" "$BASE_URL/custom_fields.json" |
    grep -q "\"id\":$cf,\"name\":\"tg_alert_key\"" || return 1
  [[ "$(http_code "/users/$user.json" "$key")" == 200 ]] || return 1
  local bot
  for bot in MINIMAL RESTRICTED; do
    key="$(sed -n "s/^TG_BOT_${bot}_KEY=//p" "$BOTS_ENV" 2>/dev/null)"
    [[ -n "$key" ]] && answers "$key" || return 1
  done
}

cmd_fixtures() {
  need_root
  cmd_env >/dev/null
  if fixtures_ok; then
    cat "$FIXTURES_ENV"
    return 0
  fi
  log "creating the test fixtures (one rails runner, ~5 s)"
  local rb out
  rb="$(mktemp /tmp/tickets-grouping-redmine-XXXXXX.rb)"
  fixtures_ruby >"$rb"
  chmod 0644 "$rb"
  if ! out="$(cd "$REDMINE_DIR" && runuser -u www-data -- "${RUN_ENV[@]}" "$RUBY" bin/rails runner "$rb" 2>&1)"; then
    rm -f "$rb"
    printf '%s\n' "$out" >&2
    die "rails runner (fixtures) failed"
  fi
  rm -f "$rb"
  grep '^TG_FIXTURE_' <<<"$out" >"$FIXTURES_ENV.tmp" || { printf '%s\n' "$out" >&2; die "no fixture ids"; }
  chmod 0644 "$FIXTURES_ENV.tmp"
  (umask 077 && grep '^TG_BOT_' <<<"$out" >"$BOTS_ENV.tmp") || { printf '%s\n' "$out" >&2; die "no bot users"; }
  mv -f "$BOTS_ENV.tmp" "$BOTS_ENV"
  mv -f "$FIXTURES_ENV.tmp" "$FIXTURES_ENV"
  cat "$FIXTURES_ENV"
}

cmd_runner() {
  need_root
  local file="${1:-}" arg rb
  [[ -r "$file" ]] || die "usage: $0 runner FILE.rb [NAME=VALUE...]"
  shift
  local vars=()
  for arg in "$@"; do
    [[ "$arg" =~ ^[A-Z_][A-Z0-9_]*= ]] || die "runner: '$arg' is not NAME=VALUE"
    vars+=("$arg")
  done
  rb="$(mktemp /tmp/tickets-grouping-redmine-XXXXXX.rb)"
  cp "$file" "$rb"
  chmod 0644 "$rb"
  local status=0
  (cd "$REDMINE_DIR" && runuser -u www-data -- "${RUN_ENV[@]}" "${vars[@]}" "$RUBY" bin/rails runner "$rb") || status=$?
  rm -f "$rb"
  return "$status"
}

main() {
  local cmd="${1:-}"
  (($# > 0)) && shift
  case "$cmd" in
  setup) cmd_setup ;;
  env) cmd_env ;;
  stop) cmd_stop ;;
  reset) cmd_reset ;;
  new-project) cmd_new_project "$@" ;;
  fixtures) cmd_fixtures ;;
  runner) cmd_runner "$@" ;;
  config-ruby) config_ruby ;;
  *)
    sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
  esac
}

main "$@"
