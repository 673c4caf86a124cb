// The durable intake: deliveries are committed here before the webhook is answered 200, and
// the dispatcher takes them from here. Concurrent commits share one transaction (group commit)
// so that durability costs one fsync per batch, not per request.
//
// The store is SQLite (one host) or PostgreSQL (several replicas sharing one spool). Work is
// taken with leases: a replica claims the head delivery of a sink, or a due slot of a hook, until
// a time it keeps pushing forward while it works; when a replica dies its leases expire and
// another replica takes the work over. A sink's deliveries still go one at a time, in order,
// across all replicas: only the head of a sink can be claimed.
#pragma once

#include "spool/intake.hpp"
#include "spool/sqlite_statement.hpp"
#include "spool/sqlite_writers.hpp"
#include "spool/store_url.hpp"
#include "spool/wal_checkpointer.hpp"

#include <Poco/Data/Session.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tg::host {

struct SpoolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SpooledDelivery {
    int64_t id = 0;
    std::string sink;
    std::string route;
    std::string payload;
    std::string idempotency_key;
    std::string group_key;  // "" for a sink without delivery groups
    int64_t created_ms = 0;
    int64_t next_ms = 0;
    uint32_t attempts = 0;  // before this claim (the claim itself counts one more in the store)
    std::string last_error;
    // Claims before this one that never recorded an outcome: the process (or the replica) holding
    // the delivery ended during the sink's call, e.g. a sink that crashes on it.
    uint32_t interrupted = 0;
};

struct SpoolStats {
    int64_t depth = 0;
    int64_t oldest_created_ms = 0;  // 0 when empty
    int64_t dead_letters = 0;
};

// What claim() found for a sink.
struct Claim {
    // The sink's head delivery, leased to this replica: deliver it, then complete(),
    // reschedule() or dead_letter() it.
    std::optional<SpooledDelivery> delivery;
    // Otherwise: the sink has a delivery that is not to be taken yet (waiting), because it is
    // not due or another replica holds it (held_elsewhere); look again at retry_at_ms at the
    // latest (a holder may finish before).
    bool waiting = false;
    bool held_elsewhere = false;
    int64_t retry_at_ms = 0;
    // When the delivery was taken over from a replica whose lease expired: that replica.
    std::string taken_over_from;
};

struct HookClaim {
    bool claimed = false;       // this replica runs the slot; then finish/fail_hook_run
    int64_t last_slot_ms = 0;   // as stored now (another replica may have run it meanwhile)
    int64_t busy_until_ms = 0;  // not claimed: another replica runs it, or pauses after a failure
};

struct SpoolOptions {
    std::string owner;  // this replica's name in leases; "" = host:pid:random
    std::chrono::milliseconds lease{std::chrono::seconds(60)};
    // Dead letters are kept this long, then pruned (at open and every `prune_every`).
    std::chrono::milliseconds dead_letter_retention{std::chrono::hours(24 * 30)};
    std::chrono::milliseconds prune_every{std::chrono::hours(1)};
    // SQLite: the WAL's length (frames) from which its checkpoint holds off the writers.
    int wal_held_frames = WalCheckpointer::default_held_frames;
};

int64_t now_ms();

class Spool final : public Intake {
  public:
    explicit Spool(const std::string& sqlite_path);
    explicit Spool(const StoreUrl& store, SpoolOptions options = {});
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Returns once the deliveries are on disk; throws SpoolError when they could not be written.
    // An empty list is a probe: a write that leaves nothing behind.
    void commit(std::vector<NewDelivery> deliveries) override;
    // Called after every successful commit (the dispatcher wakes up on it).
    void on_commit(std::function<void()> listener);

    // Claims the oldest delivery of `sink` if it is due and no other replica holds it.
    Claim claim(const std::string& sink);
    // A sink with delivery groups (ABI 1.6): claims the oldest head of a group that is due and
    // that nobody holds, this replica's other workers included; a group's next delivery becomes
    // its head once the one before is done or dead-lettered. Nothing claimable while this
    // replica's workers hold heads: `waiting`, until one of them finishes.
    Claim claim_group_head(const std::string& sink);
    void complete(int64_t id);
    // Both return false when the lease was lost meanwhile (another replica took the delivery
    // over): its outcome is then that replica's to record.
    bool reschedule(int64_t id, uint32_t attempts, int64_t next_ms, const std::string& error);
    bool dead_letter(const SpooledDelivery& delivery, uint32_t attempts, const std::string& reason);

    SpoolStats stats();
    // The same per sink: every sink with a delivery waiting or a dead letter.
    std::map<std::string, SpoolStats> sink_stats();
    // Deletes the dead letters older than the retention; returns how many.
    int64_t prune_dead_letters();

    // Moves the deliveries of every sink not in `configured` to the dead letters with `reason`
    // (a row some replica holds now is left to it); returns how many per sink.
    std::vector<std::pair<std::string, int64_t>> dead_letter_removed_sinks(
        const std::set<std::string>& configured, const std::string& reason);

    // Scheduled hooks: the last slot run, across all replicas.
    std::optional<int64_t> hook_last_slot(const std::string& sink, const std::string& hook);
    void set_hook_last_slot(const std::string& sink, const std::string& hook, int64_t slot_ms);
    // The stored last slot; a hook seen for the first time is recorded with `start_ms`.
    int64_t init_hook(const std::string& sink, const std::string& hook, int64_t start_ms);
    // Claims the slot after `last_slot_ms`: succeeds for one replica only.
    HookClaim claim_hook_run(const std::string& sink, const std::string& hook,
                             int64_t last_slot_ms);
    // After a claimed run: it succeeded (the last slot becomes `slot_ms`), or it failed and no
    // replica tries again before `retry_after_ms`.
    void finish_hook_run(const std::string& sink, const std::string& hook, int64_t slot_ms);
    void fail_hook_run(const std::string& sink, const std::string& hook, int64_t retry_after_ms);

    const StoreUrl& store() const { return store_; }
    const std::string& owner() const { return owner_; }
    std::chrono::milliseconds lease() const { return lease_; }

    // The last write error, "" while writes succeed (for /readyz and the log).
    std::string write_error() const override;

  private:
    struct Batch {
        std::vector<NewDelivery> deliveries;
        std::promise<void> done;
    };
    // A connection that is opened again after a failure (PostgreSQL: the server restarted, the
    // network broke, a transaction was aborted). Closed with tg::sql::close_session(), also when
    // it goes: Poco 1.11 would leak a PostgreSQL connection the server ended.
    struct Connection {
        Connection() = default;
        Connection(const Connection&) = delete;
        Connection& operator=(const Connection&) = delete;
        ~Connection();
        std::optional<Poco::Data::Session> session;
        bool broken = false;
    };
    // The delivery's failed attempts so far (attempt_history.hpp); "" when none, or it is gone.
    std::string history_of(Poco::Data::Session& session, int64_t id) const;
    Poco::Data::Session& usable(Connection& connection, const char* synchronous);
    template <class F>
    auto with_connection(Connection& connection, std::mutex& mutex, F&& work);
    template <class F>
    auto with_dispatch(F&& work) {
        return with_connection(dispatch_, dispatch_mutex_, [&](Poco::Data::Session& session) {
            std::unique_lock writing = sqlite_writer();
            return work(session);
        });
    }
    // SQLite: the writers' lock (sqlite_writers.hpp), in turn (the dispatcher) or first (the
    // intake, the checkpoint). Empty for PostgreSQL, whose rows lock one by one.
    std::unique_lock<std::mutex> sqlite_writer();
    std::unique_lock<std::mutex> sqlite_writer_first();
    void writer_loop();
    void write_batches(std::vector<Batch>& batches);
    void insert_batches(Poco::Data::Session& session, std::vector<Batch>& batches, int64_t created);
    void insert_rows(Poco::Data::Session& session, const std::vector<NewDelivery*>& rows,
                     int64_t created);
    void insert_rows_sqlite(Poco::Data::Session& session, const std::vector<NewDelivery*>& rows,
                            int64_t created);
    void set_write_error(const std::string& error);
    void compact_if_drained(Poco::Data::Session& session) noexcept;
    // Takes the row `id` if it is still due, unchanged since `attempts` was read and free (or an
    // expired lease): the lease, the attempt counted. The row as it is then, or nothing.
    std::optional<SpooledDelivery> lease_row(Poco::Data::Session& session, const std::string& sink,
                                             int64_t id, uint32_t attempts, int64_t current);
    void lease_loop();
    std::string sql(const char* statement) const;

    StoreUrl store_;
    std::string owner_;
    std::chrono::milliseconds lease_;
    std::chrono::milliseconds retention_;
    std::chrono::milliseconds prune_every_;

    // SQLite: the WAL's length, noted by the intake's and the dispatcher's commits (which no
    // longer checkpoint by themselves), and the thread that checkpoints it; declared first: it
    // goes after the connections whose hooks point to it (its thread ends in ~Spool).
    WalCheckpointer checkpointer_;
    // Two connections: the intake's fsyncs every commit (SQLite: synchronous=FULL); the
    // dispatcher's bookkeeping may lose its last commits in a power cut, which only means a
    // redelivery.
    Connection intake_;
    std::optional<SqliteStatement> sqlite_insert_;  // on intake_, SQLite only; goes before it
    std::mutex dispatch_mutex_;
    Connection dispatch_;
    // stats() reads on a connection of its own: a scrape waiting for a busy store holds up no
    // claim.
    std::mutex stats_mutex_;
    Connection stats_;

    // What this replica holds leases on, renewed by lease_loop while it works.
    std::mutex held_mutex_;
    std::set<int64_t> held_deliveries_;
    std::set<std::pair<std::string, std::string>> held_hooks_;

    // SQLite: the lock this process's writing connections take around their writes. Taken
    // after dispatch_mutex_.
    SqliteWriters sqlite_writers_;

    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::condition_variable lease_cv_;  // wakes lease_loop when stopping
    std::deque<Batch> queue_;
    bool stopping_ = false;
    std::function<void()> listener_;
    // How much the readiness probe writes after a failed write (writer thread only).
    static constexpr size_t max_probe_bytes = 4 << 20;
    size_t failed_bytes_ = 0;
    mutable std::mutex error_mutex_;
    std::string write_error_;
    std::thread writer_;
    std::thread lease_thread_;
};

// Runs `work` on one of the dispatcher's connections; a failure marks a PostgreSQL connection for
// reopening before its next use (SQLite's file connection stays).
template <class F>
inline auto Spool::with_connection(Connection& connection, std::mutex& mutex, F&& work) {
    std::lock_guard lock(mutex);
    Poco::Data::Session& session = usable(connection, "NORMAL");
    try {
        return work(session);
    } catch (const Poco::Exception& e) {
        if (store_.kind == StoreUrl::Kind::postgresql) connection.broken = true;
        throw SpoolError(e.displayText());  // what() is only the exception's class name
    }
}

}  // namespace tg::host
