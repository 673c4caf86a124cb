// Every SQL statement of the state store in one place, written once with `?` placeholders and
// types both stores take (BIGINT has SQLite's integer affinity); PostgreSQL's form comes from
// common/sql. Only the statements run when a connection opens differ.
#pragma once

#include "sql/sql_dialect.hpp"

#include <string>
#include <vector>

namespace tg::redmine {

using tg::sql::Dialect;

struct StateSql {
    std::vector<std::string> open;    // SQLite: run on every open (pragmas)
    std::vector<std::string> schema;  // idempotent CREATEs
    std::vector<std::string> clear;   // forget everything (before a rebuild)

    std::string get_meta, put_meta;
    std::string get_issue, get_issue_group, put_issue, set_issue_parent, set_issue_open,
        close_children, delete_issue;
    std::string open_hosts_of_alertname;
    std::string get_root, put_root, set_root_open;
    std::string get_episode, put_episode;
    std::string get_applied, put_applied, prune_applied;
    std::string get_intent, put_intent, delete_intent;
    std::string get_note_intent, put_note_intent, delete_note_intent;
    std::string get_flap, put_flap, settled_flaps, delete_flap;
    std::string put_active_alert, delete_active_alert, active_priorities;
    std::string get_ticket_priority, put_ticket_priority;
    std::string get_listed, put_listed, delete_listed, listed_firing, pending_listed, clear_pending,
        pending_roots, root_tickets, firing_tickets, get_last_batch, put_last_batch;
    std::string put_alert_labels, firing_alerts, all_missing, put_missing, delete_missing;
    // PostgreSQL only: one replica at a time per key (an alertname, the rebuild), held by the
    // session (a dead replica's connection releases it), and the schema migration.
    std::string lock, unlock, migration_lock;
};

// The version of the tables below, kept in meta; a store written by a newer build is refused.
inline constexpr int state_schema_version = 1;

const StateSql& state_sql(Dialect dialect);

}  // namespace tg::redmine
