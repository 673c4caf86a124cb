// Every SQL statement of the spool, in one place. Written in the dialect SQLite and PostgreSQL
// share where they can; `?` placeholders are SQLite's (a PostgreSQL store rewrites them to $n).
#pragma once

namespace tg::host::spool_sql {

inline constexpr int schema_version = 1;

inline constexpr const char* create_schema[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    // One row per (notification, sink) still to deliver. Delivered rows are deleted.
    "CREATE TABLE IF NOT EXISTS deliveries ("
    " id INTEGER PRIMARY KEY,"
    " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
    " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, next_ms BIGINT NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '')",
    // A byte-identical resend (Alertmanager HA, repeat_interval) of a delivery still pending is
    // the same work: the unique key folds it into the pending row.
    "CREATE UNIQUE INDEX IF NOT EXISTS deliveries_pending_key ON deliveries (sink, idempotency_key)",
    "CREATE INDEX IF NOT EXISTS deliveries_by_sink ON deliveries (sink, id)",
    "CREATE TABLE IF NOT EXISTS dead_letters ("
    " id INTEGER PRIMARY KEY,"
    " sink TEXT NOT NULL, route TEXT NOT NULL, payload TEXT NOT NULL,"
    " idempotency_key TEXT NOT NULL, created_ms BIGINT NOT NULL, failed_ms BIGINT NOT NULL,"
    " attempts INTEGER NOT NULL, reason TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS hook_runs ("
    " sink TEXT NOT NULL, hook TEXT NOT NULL, last_slot_ms BIGINT NOT NULL,"
    " PRIMARY KEY (sink, hook))",
};

inline constexpr const char* read_version = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
inline constexpr const char* write_version = "INSERT INTO schema_version (version) VALUES (?)";

inline constexpr const char* insert_delivery =
    "INSERT INTO deliveries (sink, route, payload, idempotency_key, created_ms, next_ms)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

inline constexpr const char* head_of_sink =
    "SELECT id, route, payload, idempotency_key, created_ms, next_ms, attempts, last_error"
    " FROM deliveries WHERE sink = ? ORDER BY id LIMIT 1";

inline constexpr const char* delete_delivery = "DELETE FROM deliveries WHERE id = ?";

inline constexpr const char* reschedule_delivery =
    "UPDATE deliveries SET attempts = ?, next_ms = ?, last_error = ? WHERE id = ?";

inline constexpr const char* insert_dead_letter =
    "INSERT INTO dead_letters (sink, route, payload, idempotency_key, created_ms, failed_ms,"
    " attempts, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

inline constexpr const char* depth_and_oldest =
    "SELECT COUNT(*), COALESCE(MIN(created_ms), 0) FROM deliveries";

inline constexpr const char* dead_letter_count = "SELECT COUNT(*) FROM dead_letters";

inline constexpr const char* read_hook_run =
    "SELECT last_slot_ms FROM hook_runs WHERE sink = ? AND hook = ?";

inline constexpr const char* write_hook_run =
    "INSERT INTO hook_runs (sink, hook, last_slot_ms) VALUES (?, ?, ?)"
    " ON CONFLICT (sink, hook) DO UPDATE SET last_slot_ms = excluded.last_slot_ms";

}  // namespace tg::host::spool_sql
