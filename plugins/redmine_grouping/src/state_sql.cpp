#include "state_sql.hpp"

namespace tg::redmine {

namespace {

// The tables, each created only if missing.
std::vector<std::string> tables() {
    return {
        "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        // alert_key is the subject: a pure function of (alertname, instance) that a
        // rebuild can read back from Redmine.
        "CREATE TABLE IF NOT EXISTS issues (alert_key TEXT PRIMARY KEY, alertname TEXT NOT "
        "NULL, issue_id BIGINT NOT NULL, is_open BIGINT NOT NULL, parent_id BIGINT NOT "
        "NULL DEFAULT 0, closed_at BIGINT NOT NULL DEFAULT 0, synced_at BIGINT NOT NULL "
        "DEFAULT 0)",
        "CREATE INDEX IF NOT EXISTS issues_by_alertname ON issues (alertname, is_open)",
        "CREATE TABLE IF NOT EXISTS roots (alertname TEXT PRIMARY KEY, issue_id BIGINT "
        "NOT "
        "NULL, is_open BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS episodes (alert_key TEXT PRIMARY KEY, fingerprint TEXT "
        "NOT NULL, starts_at TEXT NOT NULL, firing BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS applied_keys (idem_key TEXT PRIMARY KEY, applied_at "
        "BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS create_intents (subject TEXT PRIMARY KEY, created_at "
        "BIGINT NOT NULL)",
        // A note (or status change with a note) sent but not known to have arrived: a
        // retry looks for it in the issue's journals before writing it again.
        "CREATE TABLE IF NOT EXISTS note_intents (issue_id BIGINT NOT NULL, digest TEXT "
        "NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (issue_id, digest))",
        // flap_window: a ticket's changes being folded until its summary note.
        "CREATE TABLE IF NOT EXISTS flaps (alert_key TEXT PRIMARY KEY, issue_id BIGINT NOT "
        "NULL, started_at BIGINT NOT NULL, last_change BIGINT NOT NULL, recurrences BIGINT "
        "NOT NULL, resolutions BIGINT NOT NULL, firing BIGINT NOT NULL)",
        // update_priority: the firing alerts of each ticket with their priority, and
        // the priority the sink last saw or set on the ticket.
        "CREATE TABLE IF NOT EXISTS active_alerts (alert_key TEXT NOT NULL, fingerprint "
        "TEXT NOT NULL, priority_id BIGINT NOT NULL, PRIMARY KEY (alert_key, "
        "fingerprint))",
        "CREATE TABLE IF NOT EXISTS ticket_priorities (alert_key TEXT PRIMARY KEY, "
        "issue_id BIGINT NOT NULL, priority_id BIGINT NOT NULL, by_hand BIGINT NOT NULL)",
        // max_children: the hosts listed on a Root instead of a ticket, with the changes
        // (HostChange bits) waiting for its next batch note, and when each Root had its last.
        "CREATE TABLE IF NOT EXISTS listed_hosts (alert_key TEXT PRIMARY KEY, root_key TEXT NOT "
        "NULL, root_id BIGINT NOT NULL, host TEXT NOT NULL, firing BIGINT NOT NULL, pending "
        "BIGINT NOT NULL, changed_at BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS listed_hosts_by_root ON listed_hosts (root_id, pending)",
        "CREATE TABLE IF NOT EXISTS root_batches (root_id BIGINT PRIMARY KEY, noted_at BIGINT "
        "NOT NULL)",
        // reconcile: the labels of each key's latest firing alert (a resolve found by asking
        // Alertmanager is applied as the webhook's would be, and needs them), and since when
        // Alertmanager has no longer listed a firing key.
        "CREATE TABLE IF NOT EXISTS alert_labels (alert_key TEXT PRIMARY KEY, labels TEXT NOT "
        "NULL)",
        "CREATE TABLE IF NOT EXISTS reconcile_missing (alert_key TEXT PRIMARY KEY, since BIGINT "
        "NOT NULL)",
    };
}

// meta, and the issues: one ticket per alert key, under its alertname's root ticket.
void fill_issue_statements(StateSql& sql) {
    sql.get_meta = "SELECT value FROM meta WHERE name = ?";
    sql.put_meta =
        "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
        "value = excluded.value";
    sql.get_issue =
        "SELECT issue_id, is_open, parent_id, closed_at, synced_at FROM issues WHERE "
        "alert_key = ?";
    sql.get_issue_group = "SELECT alertname FROM issues WHERE alert_key = ?";
    sql.put_issue =
        "INSERT INTO issues (alert_key, alertname, issue_id, is_open, parent_id, "
        "closed_at, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_key) DO "
        "UPDATE SET alertname = excluded.alertname, issue_id = excluded.issue_id, "
        "is_open = excluded.is_open, parent_id = excluded.parent_id, closed_at = "
        "excluded.closed_at, synced_at = excluded.synced_at";
    sql.set_issue_parent = "UPDATE issues SET parent_id = ? WHERE issue_id = ?";
    sql.set_issue_open = "UPDATE issues SET is_open = ?, closed_at = ? WHERE issue_id = ?";
    sql.close_children =
        "UPDATE issues SET is_open = 0, closed_at = ? WHERE parent_id = ? AND "
        "is_open = 1";
    sql.delete_issue = "DELETE FROM issues WHERE alert_key = ?";
    sql.open_hosts_of_alertname =
        "SELECT alert_key, issue_id, parent_id FROM issues WHERE "
        "alertname = ? AND is_open = 1 ORDER BY issue_id";
}

// The root tickets, one per alertname, and the episode each alert key is in.
void fill_root_and_episode_statements(StateSql& sql) {
    sql.get_root = "SELECT issue_id, is_open FROM roots WHERE alertname = ?";
    sql.put_root =
        "INSERT INTO roots (alertname, issue_id, is_open) VALUES (?, ?, ?) ON CONFLICT "
        "(alertname) DO UPDATE SET issue_id = excluded.issue_id, is_open = "
        "excluded.is_open";
    sql.set_root_open = "UPDATE roots SET is_open = ? WHERE issue_id = ?";
    sql.get_episode = "SELECT fingerprint, starts_at, firing FROM episodes WHERE alert_key = ?";
    sql.put_episode =
        "INSERT INTO episodes (alert_key, fingerprint, starts_at, firing) VALUES (?, "
        "?, ?, ?) ON CONFLICT (alert_key) DO UPDATE SET fingerprint = "
        "excluded.fingerprint, starts_at = excluded.starts_at, firing = "
        "excluded.firing";
}

// What makes a retried write happen once: the keys already applied, and the creations and
// notes sent but not known to have arrived.
void fill_once_only_statements(StateSql& sql) {
    sql.get_applied = "SELECT applied_at FROM applied_keys WHERE idem_key = ?";
    sql.put_applied =
        "INSERT INTO applied_keys (idem_key, applied_at) VALUES (?, ?) ON CONFLICT "
        "(idem_key) DO NOTHING";
    sql.prune_applied = "DELETE FROM applied_keys WHERE applied_at < ?";
    sql.get_intent = "SELECT created_at FROM create_intents WHERE subject = ?";
    sql.put_intent =
        "INSERT INTO create_intents (subject, created_at) VALUES (?, ?) ON CONFLICT "
        "(subject) DO NOTHING";
    sql.delete_intent = "DELETE FROM create_intents WHERE subject = ?";
    sql.get_note_intent = "SELECT created_at FROM note_intents WHERE issue_id = ? AND digest = ?";
    sql.put_note_intent =
        "INSERT INTO note_intents (issue_id, digest, created_at) VALUES (?, ?, ?) ON "
        "CONFLICT (issue_id, digest) DO NOTHING";
    sql.delete_note_intent = "DELETE FROM note_intents WHERE issue_id = ? AND digest = ?";
}

// flap_window: the tickets whose changes are being folded.
void fill_flap_statements(StateSql& sql) {
    sql.get_flap =
        "SELECT issue_id, started_at, last_change, recurrences, resolutions, firing FROM "
        "flaps WHERE alert_key = ?";
    sql.put_flap =
        "INSERT INTO flaps (alert_key, issue_id, started_at, last_change, recurrences, "
        "resolutions, firing) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_key) DO UPDATE "
        "SET issue_id = excluded.issue_id, started_at = excluded.started_at, last_change = "
        "excluded.last_change, recurrences = excluded.recurrences, resolutions = "
        "excluded.resolutions, firing = excluded.firing";
    sql.settled_flaps = "SELECT alert_key FROM flaps WHERE last_change <= ? ORDER BY alert_key";
    sql.delete_flap = "DELETE FROM flaps WHERE alert_key = ?";
}

// update_priority: the firing alerts' priorities and the priority of each ticket.
void fill_priority_statements(StateSql& sql) {
    sql.put_active_alert =
        "INSERT INTO active_alerts (alert_key, fingerprint, priority_id) VALUES (?, ?, ?) ON "
        "CONFLICT (alert_key, fingerprint) DO UPDATE SET priority_id = excluded.priority_id";
    sql.delete_active_alert = "DELETE FROM active_alerts WHERE alert_key = ? AND fingerprint = ?";
    sql.active_priorities = "SELECT priority_id FROM active_alerts WHERE alert_key = ?";
    sql.get_ticket_priority =
        "SELECT issue_id, priority_id, by_hand FROM ticket_priorities WHERE alert_key = ?";
    sql.put_ticket_priority =
        "INSERT INTO ticket_priorities (alert_key, issue_id, priority_id, by_hand) VALUES (?, "
        "?, ?, ?) ON CONFLICT (alert_key) DO UPDATE SET issue_id = excluded.issue_id, "
        "priority_id = excluded.priority_id, by_hand = excluded.by_hand";
}

// max_children: the hosts listed on their Root, and its batch notes.
void fill_listed_statements(StateSql& sql) {
    sql.get_listed =
        "SELECT root_id, root_key, host, firing, pending FROM listed_hosts WHERE alert_key = ?";
    sql.put_listed =
        "INSERT INTO listed_hosts (alert_key, root_key, root_id, host, firing, pending, "
        "changed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_key) DO UPDATE SET root_key "
        "= excluded.root_key, root_id = excluded.root_id, host = excluded.host, firing = "
        "excluded.firing, pending = excluded.pending, changed_at = excluded.changed_at";
    sql.delete_listed = "DELETE FROM listed_hosts WHERE alert_key = ?";
    sql.listed_firing =
        "SELECT COUNT(*) FROM listed_hosts WHERE root_id = ? AND firing = 1 AND alert_key <> ?";
    sql.pending_listed =
        "SELECT root_id, root_key, host, firing, pending FROM listed_hosts WHERE root_id = ? AND "
        "pending <> 0 ORDER BY changed_at, alert_key";
    sql.clear_pending = "UPDATE listed_hosts SET pending = 0 WHERE root_id = ?";
    sql.pending_roots =
        "SELECT DISTINCT root_id, root_key FROM listed_hosts WHERE pending <> 0 ORDER BY root_id";
    sql.root_tickets = "SELECT COUNT(*) FROM issues WHERE parent_id = ?";
    sql.firing_tickets =
        "SELECT COUNT(*) FROM issues JOIN episodes ON episodes.alert_key = issues.alert_key "
        "WHERE issues.parent_id = ? AND issues.is_open = 1 AND episodes.firing = 1";
    sql.get_last_batch = "SELECT noted_at FROM root_batches WHERE root_id = ?";
    sql.put_last_batch =
        "INSERT INTO root_batches (root_id, noted_at) VALUES (?, ?) ON CONFLICT (root_id) DO "
        "UPDATE SET noted_at = excluded.noted_at";
}

// reconcile: the firing keys with their labels, and the keys Alertmanager no longer lists.
void fill_reconcile_statements(StateSql& sql) {
    sql.put_alert_labels =
        "INSERT INTO alert_labels (alert_key, labels) VALUES (?, ?) ON CONFLICT (alert_key) DO "
        "UPDATE SET labels = excluded.labels";
    sql.firing_alerts =
        "SELECT episodes.alert_key, COALESCE(alert_labels.labels, '') FROM episodes LEFT JOIN "
        "alert_labels ON alert_labels.alert_key = episodes.alert_key WHERE episodes.firing = 1 "
        "ORDER BY episodes.alert_key";
    sql.all_missing = "SELECT alert_key, since FROM reconcile_missing";
    sql.put_missing =
        "INSERT INTO reconcile_missing (alert_key, since) VALUES (?, ?) ON CONFLICT (alert_key) "
        "DO NOTHING";
    sql.delete_missing = "DELETE FROM reconcile_missing WHERE alert_key = ?";
}

StateSql written_once() {
    StateSql sql;
    // The busy timeout first, so that switching to WAL waits rather than fails.
    sql.open = {"PRAGMA busy_timeout=5000", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"};
    sql.schema = tables();
    sql.clear = {"DELETE FROM issues",
                 "DELETE FROM roots",
                 "DELETE FROM episodes",
                 "DELETE FROM listed_hosts",
                 "DELETE FROM root_batches",
                 "DELETE FROM alert_labels",
                 "DELETE FROM reconcile_missing",
                 "DELETE FROM meta WHERE name = 'rebuilt_at'"};
    fill_issue_statements(sql);
    fill_root_and_episode_statements(sql);
    fill_once_only_statements(sql);
    fill_flap_statements(sql);
    fill_priority_statements(sql);
    fill_listed_statements(sql);
    fill_reconcile_statements(sql);
    sql.lock = "SELECT pg_advisory_lock(hashtextextended(?, 0))";
    sql.unlock = "SELECT pg_advisory_unlock(hashtextextended(?, 0))";
    sql.migration_lock = "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))";
    return sql;
}

StateSql for_postgresql(StateSql sql) {
    sql.open.clear();  // the session's search_path and lock_timeout are set by the store
    for (auto* list : {&sql.schema, &sql.clear})
        for (auto& statement : *list)
            statement = tg::sql::for_dialect(Dialect::postgresql, statement);
    for (auto* statement : {&sql.get_meta,
                            &sql.put_meta,
                            &sql.get_issue,
                            &sql.get_issue_group,
                            &sql.put_issue,
                            &sql.set_issue_parent,
                            &sql.set_issue_open,
                            &sql.close_children,
                            &sql.delete_issue,
                            &sql.open_hosts_of_alertname,
                            &sql.get_root,
                            &sql.put_root,
                            &sql.set_root_open,
                            &sql.get_episode,
                            &sql.put_episode,
                            &sql.get_applied,
                            &sql.put_applied,
                            &sql.prune_applied,
                            &sql.get_intent,
                            &sql.put_intent,
                            &sql.delete_intent,
                            &sql.get_note_intent,
                            &sql.put_note_intent,
                            &sql.delete_note_intent,
                            &sql.get_flap,
                            &sql.put_flap,
                            &sql.settled_flaps,
                            &sql.delete_flap,
                            &sql.put_active_alert,
                            &sql.delete_active_alert,
                            &sql.active_priorities,
                            &sql.get_ticket_priority,
                            &sql.put_ticket_priority,
                            &sql.get_listed,
                            &sql.put_listed,
                            &sql.delete_listed,
                            &sql.listed_firing,
                            &sql.pending_listed,
                            &sql.clear_pending,
                            &sql.pending_roots,
                            &sql.root_tickets,
                            &sql.firing_tickets,
                            &sql.get_last_batch,
                            &sql.put_last_batch,
                            &sql.put_alert_labels,
                            &sql.firing_alerts,
                            &sql.all_missing,
                            &sql.put_missing,
                            &sql.delete_missing,
                            &sql.lock,
                            &sql.unlock,
                            &sql.migration_lock})
        *statement = tg::sql::for_dialect(Dialect::postgresql, *statement);
    return sql;
}

}  // namespace

const StateSql& state_sql(Dialect dialect) {
    static const StateSql sqlite = written_once();
    static const StateSql postgresql = for_postgresql(written_once());
    return dialect == Dialect::postgresql ? postgresql : sqlite;
}

}  // namespace tg::redmine
