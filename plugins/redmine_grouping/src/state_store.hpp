// The sink's memory: which issue belongs to which alert, the Roots, the last episode of each
// alert, the applied idempotency keys and the create intents. SQLite (WAL) under state_dir, or,
// when the host's replicas share a PostgreSQL store, a schema of this sink instance's own there,
// so that every replica sees what the others did.
#pragma once

#include "lock_table.hpp"
#include "planner.hpp"
#include "sql/postgresql_session.hpp"
#include "state_sql.hpp"

#include <Poco/Data/Session.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

// update_priority: the priority the sink last saw or set on a ticket.
struct TicketPriority {
    int64_t issue_id = 0;
    int64_t priority_id = 0;
    bool by_hand = false;  // a person changed it: the sink leaves it alone
};

// max_children: a host listed on its Root instead of a ticket. `pending`: the HostChange bits
// (listed_change_bit) of what it did since the Root's last batch note.
struct ListedRecord {
    int64_t root_id = 0;
    std::string root_key;  // for the group's lock
    std::string host;      // as the batch note names it
    bool firing = false;
    int64_t pending = 0;
};

struct RootState {
    int64_t id = 0;
    bool open = true;
};

// Where the state lives.
struct StateLocation {
    std::string sqlite_path;  // the embedded store: a file of this instance alone
    std::string postgresql;   // shared: a libpq connection string (holds the password)
    std::string schema;       // shared: the instance's own schema

    static StateLocation sqlite(std::string path) { return {std::move(path), {}, {}}; }
    static StateLocation shared(std::string connection, std::string schema) {
        return {{}, std::move(connection), std::move(schema)};
    }
    bool is_shared() const { return !postgresql.empty(); }
    std::string description() const;  // for messages: never the password
};

// The schema a sink instance's tables live in on a shared store: readable, at most PostgreSQL's
// 63 bytes, and distinct per instance name.
std::string shared_schema_name(const std::string& plugin, const std::string& instance);

class StateStore;

// Holds one of the store's named locks until destroyed (see StateStore::lock).
class StateLock {
  public:
    StateLock(StateLock&& other) noexcept : store_(other.store_), key_(std::move(other.key_)) {
        other.store_ = nullptr;
    }
    StateLock(const StateLock&) = delete;
    StateLock& operator=(const StateLock&) = delete;
    StateLock& operator=(StateLock&&) = delete;
    ~StateLock();

  private:
    friend class StateStore;
    StateLock(StateStore* store, std::string key) : store_(store), key_(std::move(key)) {}
    StateStore* store_;
    std::string key_;
};

class StateStore {
  public:
    // `locks`: the named locks this store shares with the other connections of its sink
    // instance to the same embedded file (its delivery lanes); none: a table of its own.
    explicit StateStore(StateLocation location, std::shared_ptr<LockTable> locks = nullptr);
    explicit StateStore(std::string sqlite_path)
        : StateStore(StateLocation::sqlite(std::move(sqlite_path))) {}
    ~StateStore();

    const StateLocation& location() const { return location_; }
    // Before each delivery or hook: a state file deleted under a running sink is recreated
    // empty (and then rebuilt); a lost PostgreSQL connection is opened again.
    void ensure_open();

    // One holder at a time per key (a group, the rebuild), waiting at most 60 s: across every
    // replica sharing a PostgreSQL store (an advisory lock of this store's session), and across
    // the stores given one LockTable on the embedded file (the lanes of one sink instance). A
    // store may take a key it holds again.
    StateLock lock(const std::string& key);

    bool needs_rebuild();
    void mark_rebuilt(int64_t now_unix);
    void clear();

    std::optional<IssueState> issue(const std::string& key);
    // The group (the Root labels' values) the issue of `key` was recorded in.
    std::optional<std::string> group_of_issue(const std::string& key);
    void put_issue(const std::string& key, const std::string& alertname, const IssueState& issue);
    void set_parent(int64_t issue_id, int64_t parent_id);
    void set_open(int64_t issue_id, bool open, int64_t closed_at);
    // Redmine keeps no open child under a closed parent: a closed Root's children are closed.
    void close_children(int64_t parent_id, int64_t closed_at);
    void forget_issue(const std::string& key);
    std::vector<HostIssue> open_hosts(const std::string& alertname);

    std::optional<RootState> root(const std::string& alertname);
    void put_root(const std::string& alertname, const RootState& root);
    void set_root_open(int64_t issue_id, bool open);

    std::optional<Episode> episode(const std::string& key);
    void put_episode(const std::string& key, const Episode& episode);

    bool applied(const std::string& idempotency_key);
    void mark_applied(const std::string& idempotency_key, int64_t now_unix);
    void prune_applied(int64_t before_unix);

    std::optional<int64_t> intent(const std::string& subject);
    void put_intent(const std::string& subject, int64_t now_unix);
    void clear_intent(const std::string& subject);

    // Notes on their way to an issue, by the digest of their text.
    std::optional<int64_t> note_intent(int64_t issue_id, const std::string& digest);
    void put_note_intent(int64_t issue_id, const std::string& digest, int64_t now_unix);
    void clear_note_intent(int64_t issue_id, const std::string& digest);

    // flap_window: the ticket of `key` whose changes are being folded.
    std::optional<FlapState> flap(const std::string& key);
    void put_flap(const std::string& key, const FlapState& flap);
    // The keys whose latest change is at or before `last_change_unix`.
    std::vector<std::string> settled_flaps(int64_t last_change_unix);
    void forget_flap(const std::string& key);

    // update_priority: a ticket's firing alerts (by fingerprint) with their priority.
    void put_active_alert(const std::string& key, const std::string& fingerprint,
                          int64_t priority_id);
    void forget_active_alert(const std::string& key, const std::string& fingerprint);
    std::vector<int64_t> active_priorities(const std::string& key);
    std::optional<TicketPriority> ticket_priority(const std::string& key);
    void put_ticket_priority(const std::string& key, const TicketPriority& priority);

    // max_children (state_listed.cpp).
    std::optional<ListedRecord> listed(const std::string& key);
    void put_listed(const std::string& key, const ListedRecord& record, int64_t now_unix);
    void forget_listed(const std::string& key);
    int64_t listed_firing(int64_t root_id, const std::string& except_key);
    std::vector<ListedRecord> pending_listed(int64_t root_id);
    void clear_pending(int64_t root_id);
    std::vector<std::pair<int64_t, std::string>> pending_roots();  // id, root key
    int64_t root_tickets(int64_t root_id);    // tickets under it, open or closed
    int64_t firing_tickets(int64_t root_id);  // open tickets under it whose alert fires
    std::optional<int64_t> last_batch(int64_t root_id);
    void put_last_batch(int64_t root_id, int64_t now_unix);

    // reconcile (state_reconcile.cpp): the labels of a key's latest firing alert, as a JSON
    // object; the firing keys with them ("" where none was kept: fired before this version).
    void put_alert_labels(const std::string& key, const std::string& labels_json);
    std::vector<std::pair<std::string, std::string>> firing_alerts();
    // Since when (unix seconds) Alertmanager has not listed each firing key it no longer lists.
    std::map<std::string, int64_t> missing_since();
    void put_missing(const std::string& key, int64_t since_unix);  // kept if already there
    void forget_missing(const std::string& key);

    // A dry run's changes, undone at its end.
    void begin_dry_run();
    void end_dry_run();

  private:
    friend class StateLock;
    const StateSql& sql() const;
    int64_t count_of(const std::string& statement, int64_t id);  // SELECT COUNT(*) ... = ?
    void open();
    void migrate(Poco::Data::Session& session);
    void unlock(const std::string& key) noexcept;
    void drop_connection() noexcept;
    // SQLite's writers: BEGIN IMMEDIATE takes the write lock at once (waiting busy_timeout for
    // another lane's), where a deferred BEGIN that writes later fails at once with SQLITE_BUSY.
    void begin_write(Poco::Data::Session& session);
    void commit(Poco::Data::Session& session);
    void rollback(Poco::Data::Session& session);
    bool is_the_opened_file() const;  // the embedded store

    StateLocation location_;
    std::shared_ptr<LockTable> locks_;  // the embedded store's
    // The embedded file opened (st_dev, st_ino): a file another lane made again after a
    // deletion is not the one this session writes to.
    std::pair<uint64_t, uint64_t> opened_file_{};
    // Closed by tg::sql::close_session() when it goes (Poco 1.11 would leak a PostgreSQL
    // connection the server ended).
    tg::sql::OwnedSession session_;
};

}  // namespace tg::redmine
