// Every SQL statement of the state store, per dialect, in one place. SQLite takes `?`; a
// PostgreSQL dialect (`$1`, ...) can be added beside it without touching the store.
#pragma once

#include <string>
#include <vector>

namespace tg::redmine {

struct StateSql {
    std::vector<std::string> open;    // run on every open (pragmas)
    std::vector<std::string> schema;  // idempotent CREATEs
    std::vector<std::string> clear;   // forget everything (before a rebuild)

    std::string get_meta, put_meta;
    std::string get_issue, put_issue, set_issue_parent, set_issue_open, close_children,
        delete_issue;
    std::string open_hosts_of_alertname;
    std::string get_root, put_root, set_root_open;
    std::string get_episode, put_episode;
    std::string get_applied, put_applied, prune_applied;
    std::string get_intent, put_intent, delete_intent;
    std::string savepoint, release, rollback_to;  // take the savepoint name appended
};

const StateSql& sqlite_sql();

}  // namespace tg::redmine
