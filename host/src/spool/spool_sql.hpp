// Every SQL statement of the spool, for both stores, in one place. Statements are written once in
// the dialect SQLite and PostgreSQL share, with `?` placeholders; `text()` rewrites them to
// PostgreSQL's `$1, $2, ...` (common/sql). Where the dialects differ (the schema's key columns, the
// migration lock) both texts stand side by side.
#pragma once

#include "sql/sql_dialect.hpp"

#include <cstddef>
#include <iterator>
#include <string>

namespace tg::host::spool_sql {

using Dialect = tg::sql::Dialect;

inline std::string text(Dialect dialect, const char* sql) {
    return tg::sql::for_dialect(dialect, sql);
}

// ---------------------------------------------------------------- schema and migrations

// Version 1 is the schema of the first SQLite spool files; those files must keep opening.
// Version 2 adds the leases that let several replicas share one store.
// Version 3 counts an attempt when it is claimed, and the claims that never recorded an outcome
// (the process died in the call: a sink that crashes the host on one delivery).
// Version 4 makes SQLite's ids unique for the file's life, as PostgreSQL's sequences are.
// Version 5 keeps the dead letters an operator discards (`dead-letters discard`), for the
// retention of the dead letters.
// Version 6 keeps the attempts' history. Version 7 adds the delivery groups (ABI 1.6).
inline constexpr int schema_version = 7;

struct Step {
    const char* sqlite;
    const char* postgresql;  // nullptr: the same text as SQLite's
    const char* for_dialect(Dialect d) const {
        return d == Dialect::postgresql && postgresql ? postgresql : sqlite;
    }
};

inline constexpr const char* create_version_table =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";

// Several replicas may start at once against one PostgreSQL: they migrate one after the other
// (a transaction-scoped advisory lock; the key is arbitrary but fixed). SQLite has one process.
inline constexpr const char* migration_lock_postgresql = "SELECT pg_advisory_xact_lock(7134027741)";

inline constexpr const char* read_version = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
inline constexpr const char* write_version = "INSERT INTO schema_version (version) VALUES (?)";

inline constexpr Step schema_v1[] = {
    // One row per (notification, sink) still to deliver. Delivered rows are deleted.
    {"CREATE TABLE IF NOT EXISTS deliveries ("
     " id INTEGER PRIMARY KEY,"
     " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
     " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, next_ms BIGINT NOT NULL,"
     " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '')",
     // A sequence hands out increasing ids across all sessions: arrival order.
     "CREATE TABLE IF NOT EXISTS deliveries ("
     " id BIGSERIAL PRIMARY KEY,"
     " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
     " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, next_ms BIGINT NOT NULL,"
     " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '')"},
    // A byte-identical resend (Alertmanager HA, repeat_interval) of a delivery still pending is
    // the same work: the unique key folds it into the pending row.
    {"CREATE UNIQUE INDEX IF NOT EXISTS deliveries_pending_key ON deliveries (sink, "
     "idempotency_key)",
     nullptr},
    {"CREATE INDEX IF NOT EXISTS deliveries_by_sink ON deliveries (sink, id)", nullptr},
    {"CREATE TABLE IF NOT EXISTS dead_letters ("
     " id INTEGER PRIMARY KEY,"
     " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
     " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, failed_ms BIGINT NOT NULL,"
     " attempts INTEGER NOT NULL, reason TEXT NOT NULL)",
     "CREATE TABLE IF NOT EXISTS dead_letters ("
     " id BIGSERIAL PRIMARY KEY,"
     " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
     " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, failed_ms BIGINT NOT NULL,"
     " attempts INTEGER NOT NULL, reason TEXT NOT NULL)"},
    {"CREATE TABLE IF NOT EXISTS hook_runs ("
     " sink TEXT NOT NULL, hook TEXT NOT NULL, last_slot_ms BIGINT NOT NULL,"
     " PRIMARY KEY (sink, hook))",
     nullptr},
};

inline constexpr Step schema_v2[] = {
    // The replica working on a delivery, until when (ms since the epoch). '' / 0: free.
    {"ALTER TABLE deliveries ADD COLUMN lease_owner TEXT NOT NULL DEFAULT ''", nullptr},
    {"ALTER TABLE deliveries ADD COLUMN lease_until_ms BIGINT NOT NULL DEFAULT 0", nullptr},
    // The replica running a hook's due slot, until when; after a failed run: nobody, and the
    // time before which no replica tries again.
    {"ALTER TABLE hook_runs ADD COLUMN running_owner TEXT NOT NULL DEFAULT ''", nullptr},
    {"ALTER TABLE hook_runs ADD COLUMN running_until_ms BIGINT NOT NULL DEFAULT 0", nullptr},
};

inline constexpr Step schema_v3[] = {
    // 1 from a claim until its outcome is recorded: still 1 at the next claim means the process
    // (or replica) holding it ended in the call.
    {"ALTER TABLE deliveries ADD COLUMN in_call INTEGER NOT NULL DEFAULT 0", nullptr},
    // How many claims ended so; past server.max_crashes the delivery goes to the dead letters.
    {"ALTER TABLE deliveries ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0", nullptr},
};

// SQLite gives a plain INTEGER PRIMARY KEY the largest id + 1, so once the newest row is
// delivered (deleted) the next one took its id again: every delivery of a quiet host was
// "delivery=1" in the log, and a dead letter's id could name two different alerts over time.
// AUTOINCREMENT never hands an id out twice; a column's kind only changes by copying the table.
// PostgreSQL's BIGSERIAL never reused an id: nothing to do there.
inline constexpr const char* postgresql_nothing = "SELECT 1";

inline constexpr Step schema_v4[] = {
    {"CREATE TABLE deliveries_v4 ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
     " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, next_ms BIGINT NOT NULL,"
     " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
     " lease_owner TEXT NOT NULL DEFAULT '', lease_until_ms BIGINT NOT NULL DEFAULT 0,"
     " in_call INTEGER NOT NULL DEFAULT 0, interrupted INTEGER NOT NULL DEFAULT 0)",
     postgresql_nothing},
    {"INSERT INTO deliveries_v4 (id, sink, route, payload, idempotency_key, created_ms, next_ms,"
     " attempts, last_error, lease_owner, lease_until_ms, in_call, interrupted)"
     " SELECT id, sink, route, payload, idempotency_key, created_ms, next_ms, attempts,"
     " last_error, lease_owner, lease_until_ms, in_call, interrupted FROM deliveries",
     postgresql_nothing},
    {"DROP TABLE deliveries", postgresql_nothing},
    {"ALTER TABLE deliveries_v4 RENAME TO deliveries", postgresql_nothing},
    {"CREATE UNIQUE INDEX IF NOT EXISTS deliveries_pending_key ON deliveries (sink, "
     "idempotency_key)",
     postgresql_nothing},
    {"CREATE INDEX IF NOT EXISTS deliveries_by_sink ON deliveries (sink, id)", postgresql_nothing},
    {"CREATE TABLE dead_letters_v4 ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
     " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, failed_ms BIGINT NOT NULL,"
     " attempts INTEGER NOT NULL, reason TEXT NOT NULL)",
     postgresql_nothing},
    {"INSERT INTO dead_letters_v4 (id, sink, route, payload, idempotency_key, created_ms,"
     " failed_ms, attempts, reason)"
     " SELECT id, sink, route, payload, idempotency_key, created_ms, failed_ms, attempts, reason"
     " FROM dead_letters",
     postgresql_nothing},
    {"DROP TABLE dead_letters", postgresql_nothing},
    {"ALTER TABLE dead_letters_v4 RENAME TO dead_letters", postgresql_nothing},
};

inline constexpr Step schema_v5[] = {
    {"CREATE TABLE IF NOT EXISTS discarded_dead_letters ("
     " id BIGINT PRIMARY KEY,"
     " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
     " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, failed_ms BIGINT NOT NULL,"
     " attempts INTEGER NOT NULL, reason TEXT NOT NULL, discarded_ms BIGINT NOT NULL)",
     nullptr},
};

// The failed attempts with their errors (attempt_history.hpp), carried from a delivery into its
// dead letter, back by a retry and into the discard log.
inline constexpr Step schema_v6[] = {
    {"ALTER TABLE deliveries ADD COLUMN history TEXT NOT NULL DEFAULT ''", nullptr},
    {"ALTER TABLE dead_letters ADD COLUMN history TEXT NOT NULL DEFAULT ''", nullptr},
    {"ALTER TABLE discarded_dead_letters ADD COLUMN history TEXT NOT NULL DEFAULT ''", nullptr},
};

// A delivery's group: the values of its sink's group labels (ABI 1.6). '' for every row from
// before, and for every sink without groups: those rows keep the one-at-a-time order.
inline constexpr Step schema_v7[] = {
    {"ALTER TABLE deliveries ADD COLUMN group_key TEXT NOT NULL DEFAULT ''", nullptr},
    {"CREATE INDEX IF NOT EXISTS deliveries_by_group ON deliveries (sink, group_key, id)", nullptr},
};

struct Migration {
    int version;
    const Step* steps;
    size_t count;
};

inline constexpr Migration migrations[] = {
    {1, schema_v1, std::size(schema_v1)}, {2, schema_v2, std::size(schema_v2)},
    {3, schema_v3, std::size(schema_v3)}, {4, schema_v4, std::size(schema_v4)},
    {5, schema_v5, std::size(schema_v5)}, {6, schema_v6, std::size(schema_v6)},
    {7, schema_v7, std::size(schema_v7)},
};

// ---------------------------------------------------------------- intake

// PostgreSQL: a sink's head is the lowest id, and ids are taken at insert; intake transactions of
// all replicas take this lock first (held to their commit), so ids follow commit order and a
// delivery acknowledged later never goes before one acknowledged earlier.
inline constexpr const char* intake_lock_postgresql = "SELECT pg_advisory_xact_lock(7134027742)";

inline constexpr const char* insert_delivery =
    "INSERT INTO deliveries (sink, route, payload, idempotency_key, created_ms, next_ms, group_key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

// A write that leaves nothing behind, to learn whether the store takes writes again (readiness
// after a full or failed disk) without waiting for the next webhook.
// Its payload is longer than the write that failed (Spool::write_batches): a disk with room for a
// short row only is not ready.
inline constexpr const char* insert_probe =
    "INSERT INTO deliveries (sink, route, payload, idempotency_key, created_ms, next_ms)"
    " VALUES ('', '', ?, 'readiness-probe', 0, 0) ON CONFLICT DO NOTHING";
inline constexpr const char* delete_probe =
    "DELETE FROM deliveries WHERE sink = '' AND idempotency_key = 'readiness-probe'";

// ---------------------------------------------------------------- dispatch: claims and leases

// The oldest delivery of a sink, whoever holds it: a sink's deliveries go one at a time, in order.
inline constexpr const char* head_of_sink =
    "SELECT id, route, payload, idempotency_key, created_ms, next_ms, attempts, last_error,"
    " lease_owner, lease_until_ms, in_call, interrupted FROM deliveries WHERE sink = ?"
    " ORDER BY id LIMIT 1";

// A sink with delivery groups: the head of each group, oldest first, as far as it may go now: no
// earlier delivery of its group, no earlier delivery without a group (that one goes alone), and
// for a delivery without a group no earlier delivery at all. Each test is one probe of an index;
// only what the claim decides on is read, the payload of the one claimed after.
inline constexpr const char* heads_of_groups =
    "SELECT d.id, d.next_ms, d.attempts, d.lease_owner, d.lease_until_ms FROM deliveries d"
    " WHERE d.sink = ?"
    " AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.sink = d.sink"
    " AND e.group_key = d.group_key AND e.id < d.id)"
    " AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.sink = d.sink AND e.group_key = ''"
    " AND e.id < d.id)"
    " AND (d.group_key <> '' OR NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.sink = d.sink"
    " AND e.id < d.id))"
    " ORDER BY d.id LIMIT 256";

inline constexpr const char* delivery_by_id =
    "SELECT route, payload, idempotency_key, created_ms, next_ms, attempts, last_error, in_call,"
    " interrupted, group_key FROM deliveries WHERE id = ?";

// Compare-and-set on the head row just read: it becomes ours only if it is still due, unchanged
// (same attempts) and free, expired or already ours. Concurrent claimants serialise on the row;
// exactly one sees 1 row updated. The claim counts the attempt at once (the process may not live to
// record it), and a claim whose outcome was never recorded as interrupted: leases are cleared at
// start, these counts are not.
inline constexpr const char* claim_delivery =
    "UPDATE deliveries SET lease_owner = ?, lease_until_ms = ?, attempts = attempts + 1,"
    " interrupted = interrupted + in_call, in_call = 1"
    " WHERE id = ? AND attempts = ? AND next_ms <= ?"
    " AND (lease_owner = '' OR lease_owner = ? OR lease_until_ms < ?)";

// An SQLite spool serves one process: leases found when it opens belong to a process that is
// gone (killed), and its work is this one's at once.
inline constexpr const char* release_delivery_leases =
    "UPDATE deliveries SET lease_owner = '', lease_until_ms = 0 WHERE lease_owner <> ''";
inline constexpr const char* release_hook_leases =
    "UPDATE hook_runs SET running_owner = '', running_until_ms = 0 WHERE running_owner <> ''";

inline constexpr const char* renew_delivery_lease =
    "UPDATE deliveries SET lease_until_ms = ? WHERE id = ? AND lease_owner = ?";

inline constexpr const char* delete_delivery = "DELETE FROM deliveries WHERE id = ?";

inline constexpr const char* delete_leased_delivery =
    "DELETE FROM deliveries WHERE id = ? AND lease_owner = ?";

inline constexpr const char* history_of_delivery = "SELECT history FROM deliveries WHERE id = ?";

inline constexpr const char* reschedule_delivery =
    "UPDATE deliveries SET attempts = ?, next_ms = ?, last_error = ?, history = ?,"
    " lease_owner = '', lease_until_ms = 0, in_call = 0 WHERE id = ? AND lease_owner = ?";

inline constexpr const char* insert_dead_letter =
    "INSERT INTO dead_letters (sink, route, payload, idempotency_key, created_ms, failed_ms,"
    " attempts, reason, history) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

// Dead letters older than the retention (server.dead_letter_retention) go, and the discarded ones
// as long after they were discarded.
inline constexpr const char* prune_dead_letters = "DELETE FROM dead_letters WHERE failed_ms < ?";
inline constexpr const char* prune_discarded_dead_letters =
    "DELETE FROM discarded_dead_letters WHERE discarded_ms < ?";

// ---------------------------------------------------------------- dead-letters (the command)

inline constexpr const char* dead_letter_columns =
    "SELECT id, sink, route, payload, idempotency_key, created_ms, failed_ms, attempts, reason,"
    " history FROM dead_letters";
// Back in the sink's queue with its idempotency key, as a new arrival; a delivery of that key
// still pending already is that work (the unique key folds them).
inline constexpr const char* retry_dead_letter =
    "INSERT INTO deliveries (sink, route, payload, idempotency_key, created_ms, next_ms, history)"
    " SELECT sink, route, payload, idempotency_key, ?, ?, history FROM dead_letters WHERE id = ?"
    " ON CONFLICT DO NOTHING";
inline constexpr const char* discard_dead_letter =
    "INSERT INTO discarded_dead_letters (id, sink, route, payload, idempotency_key, created_ms,"
    " failed_ms, attempts, reason, discarded_ms, history)"
    " SELECT id, sink, route, payload, idempotency_key, created_ms, failed_ms, attempts, reason, ?,"
    " history FROM dead_letters WHERE id = ?";
inline constexpr const char* delete_dead_letter = "DELETE FROM dead_letters WHERE id = ?";
// Rows of sinks no longer configured: nobody delivers them (see Spool::dead_letter_removed_sinks).
inline constexpr const char* spooled_sinks =
    "SELECT DISTINCT sink FROM deliveries WHERE sink <> ''";
inline constexpr const char* rows_of_sink =
    "SELECT id, route, payload, idempotency_key, created_ms, attempts, history FROM deliveries"
    " WHERE sink = ? ORDER BY id";
// Only when no replica holds it (a retiring worker may still be delivering it).
inline constexpr const char* delete_free_delivery =
    "DELETE FROM deliveries WHERE id = ? AND (lease_owner = '' OR lease_until_ms < ?)";

inline constexpr const char* depth_and_oldest =
    "SELECT COUNT(*), COALESCE(MIN(created_ms), 0) FROM deliveries";

inline constexpr const char* dead_letter_count = "SELECT COUNT(*) FROM dead_letters";
inline constexpr const char* depth_and_oldest_by_sink =
    "SELECT sink, COUNT(*), COALESCE(MIN(created_ms), 0) FROM deliveries WHERE sink <> ''"
    " GROUP BY sink";
inline constexpr const char* dead_letter_count_by_sink =
    "SELECT sink, COUNT(*) FROM dead_letters GROUP BY sink";

// ---------------------------------------------------------------- SQLite compaction

// A drained spool is compacted once it has this many free pages (4 KiB each: 1 MiB).
inline constexpr int compact_min_free_pages = 256;

inline constexpr const char* any_delivery =
    "SELECT COUNT(*) FROM (SELECT 1 FROM deliveries LIMIT 1)";

// ---------------------------------------------------------------- scheduled hooks

inline constexpr const char* read_hook_run =
    "SELECT last_slot_ms, running_owner, running_until_ms FROM hook_runs WHERE sink = ? AND hook = "
    "?";

// A hook seen for the first time: the first replica to start records the time it starts from.
inline constexpr const char* insert_hook_run =
    "INSERT INTO hook_runs (sink, hook, last_slot_ms) VALUES (?, ?, ?) ON CONFLICT (sink, hook) DO "
    "NOTHING";

inline constexpr const char* write_hook_run =
    "INSERT INTO hook_runs (sink, hook, last_slot_ms) VALUES (?, ?, ?)"
    " ON CONFLICT (sink, hook) DO UPDATE SET last_slot_ms = excluded.last_slot_ms,"
    " running_owner = '', running_until_ms = 0";

// Compare-and-set: the replica that still sees the last slot it knows, with nobody running it (or
// the runner's lease expired, or the pause after a failure over), runs the due slot.
inline constexpr const char* claim_hook_run =
    "UPDATE hook_runs SET running_owner = ?, running_until_ms = ?"
    " WHERE sink = ? AND hook = ? AND last_slot_ms = ? AND running_until_ms < ?";

inline constexpr const char* renew_hook_lease =
    "UPDATE hook_runs SET running_until_ms = ? WHERE sink = ? AND hook = ? AND running_owner = ?";

inline constexpr const char* finish_hook_run =
    "UPDATE hook_runs SET last_slot_ms = ?, running_owner = '', running_until_ms = 0"
    " WHERE sink = ? AND hook = ? AND running_owner = ?";

inline constexpr const char* fail_hook_run =
    "UPDATE hook_runs SET running_owner = '', running_until_ms = ?"
    " WHERE sink = ? AND hook = ? AND running_owner = ?";

}  // namespace tg::host::spool_sql
