#include "spool/spool.hpp"

#include "spool/spool_sql.hpp"
#include "spool/store_session.hpp"

#include <Poco/Data/Statement.h>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <random>

using namespace Poco::Data::Keywords;

namespace tg::host {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

using spool_sql::Dialect;

// A PostgreSQL transaction that failed (deadlock, connection lost) is tried again this often
// before the batch's requests are answered with an error.
constexpr int postgresql_write_attempts = 3;

std::string default_owner() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::random_device random;
    char suffix[9];
    std::snprintf(suffix, sizeof suffix, "%08x", random());
    return std::string(*host ? host : "host") + ":" + std::to_string(::getpid()) + ":" + suffix;
}

}  // namespace

Spool::Spool(const std::string& sqlite_path) : Spool(StoreUrl::sqlite(sqlite_path)) {}

Spool::Spool(const StoreUrl& store, SpoolOptions options)
    : store_(store),
      owner_(options.owner.empty() ? default_owner() : options.owner),
      lease_(std::max(options.lease, std::chrono::milliseconds(100))),
      retention_(options.dead_letter_retention),
      prune_every_(std::max(options.prune_every, std::chrono::milliseconds(100))) {
    intake_.session = open_store_session(store_, "FULL");
    dispatch_.session = open_store_session(store_, "NORMAL");
    stats_.session = open_store_session(store_, "NORMAL");
    try {
        migrate_store(*intake_.session, dialect_of(store_));
        if (store_.kind == StoreUrl::Kind::sqlite) {
            *intake_.session << spool_sql::release_delivery_leases, now;
            *intake_.session << spool_sql::release_hook_leases, now;
            // A file left large by a backlog (a host stopped before it compacted, or an earlier
            // version that never did) shrinks now if it has drained.
            compact_if_drained(*dispatch_.session);
        }
    } catch (const Poco::Exception& e) {
        throw SpoolError("cannot prepare the spool " + store_.description + ": " + e.displayText());
    } catch (const SpoolError& e) {
        throw SpoolError("cannot prepare the spool " + store_.description + ": " + e.what());
    }
    prune_dead_letters();
    writer_ = std::thread([this] { writer_loop(); });
    lease_thread_ = std::thread([this] { lease_loop(); });
}

Spool::~Spool() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    queue_cv_.notify_all();
    lease_cv_.notify_all();
    writer_.join();
    lease_thread_.join();
}

std::string Spool::sql(const char* statement) const {
    return spool_sql::text(dialect_of(store_), statement);
}

Poco::Data::Session& Spool::usable(Connection& connection, const char* synchronous) {
    if (connection.broken) {
        try {
            connection.session->close();
        } catch (...) {
        }
        connection.session = open_store_session(store_, synchronous);
        connection.broken = false;
    }
    return *connection.session;
}

// Runs `work` on one of the dispatcher's connections; a failure marks a PostgreSQL connection for
// reopening before its next use (SQLite's file connection stays).
template <class F>
auto Spool::with_connection(Connection& connection, std::mutex& mutex, F&& work) {
    std::lock_guard lock(mutex);
    Poco::Data::Session& session = usable(connection, "NORMAL");
    try {
        return work(session);
    } catch (const Poco::Exception& e) {
        if (store_.kind == StoreUrl::Kind::postgresql) connection.broken = true;
        throw SpoolError(e.displayText());  // what() is only the exception's class name
    }
}

void Spool::on_commit(std::function<void()> listener) {
    std::lock_guard lock(queue_mutex_);
    listener_ = std::move(listener);
}

void Spool::commit(std::vector<NewDelivery> deliveries) {
    std::future<void> done;
    {
        std::lock_guard lock(queue_mutex_);
        if (stopping_) throw SpoolError("the spool is shutting down");
        queue_.push_back(Batch{std::move(deliveries), {}});
        done = queue_.back().done.get_future();
    }
    queue_cv_.notify_one();
    done.get();
}

void Spool::writer_loop() {
    for (;;) {
        std::vector<Batch> batches;
        std::function<void()> listener;
        {
            std::unique_lock lock(queue_mutex_);
            queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            while (!queue_.empty()) {
                batches.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            listener = listener_;
        }
        write_batches(batches);
        if (listener) listener();
    }
}

void Spool::insert_batches(Poco::Data::Session& session, std::vector<Batch>& batches,
                           int64_t created) {
    std::vector<NewDelivery*> rows;
    for (auto& batch : batches)
        for (auto& d : batch.deliveries) rows.push_back(&d);
    if (store_.kind == StoreUrl::Kind::postgresql) {
        // Replicas inserting the same resends at once wait on each other's unique keys: taking
        // the keys in one order keeps them from deadlocking. The requests of one batch were all
        // in flight together, so no arrival order is lost among them.
        std::stable_sort(rows.begin(), rows.end(), [](const NewDelivery* a, const NewDelivery* b) {
            return std::tie(a->sink, a->idempotency_key) < std::tie(b->sink, b->idempotency_key);
        });
    }
    const std::string insert = sql(spool_sql::insert_delivery);
    session.begin();
    try {
        if (store_.kind == StoreUrl::Kind::postgresql)
            session << spool_sql::intake_lock_postgresql, now;
        if (rows.empty()) {  // a readiness probe: write, and leave nothing behind
            session << spool_sql::insert_probe, now;
            session << spool_sql::delete_probe, now;
        }
        for (NewDelivery* d : rows) {
            int64_t next = created;
            session << insert, use(d->sink), use(d->route), use(d->payload),
                use(d->idempotency_key), bind(created), use(next), now;
        }
        session.commit();
    } catch (...) {
        rollback_quietly(session);
        throw;
    }
}

void Spool::write_batches(std::vector<Batch>& batches) {
    const int64_t created = now_ms();
    const int attempts = store_.kind == StoreUrl::Kind::postgresql ? postgresql_write_attempts : 1;
    std::string error;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        try {
            insert_batches(usable(intake_, "FULL"), batches, created);
            set_write_error("");
            for (auto& batch : batches) batch.done.set_value();
            return;
        } catch (const Poco::Exception& e) {
            error = "spool write failed: " + e.displayText();
        } catch (const std::exception& e) {
            error = std::string("spool write failed: ") + e.what();
        }
        if (store_.kind == StoreUrl::Kind::postgresql) intake_.broken = true;
    }
    set_write_error(error);
    for (auto& batch : batches)
        batch.done.set_exception(std::make_exception_ptr(SpoolError(error)));
}

void Spool::set_write_error(const std::string& error) {
    std::lock_guard lock(error_mutex_);
    write_error_ = error;
}

std::string Spool::write_error() const {
    std::lock_guard lock(error_mutex_);
    return write_error_;
}

// ---------------------------------------------------------------- deliveries

Claim Spool::claim(const std::string& sink) {
    Claim result = with_dispatch([&](Poco::Data::Session& session) {
        Claim claim;
        SpooledDelivery d;
        d.sink = sink;
        std::string holder;
        int64_t held_until = 0;
        uint32_t in_call = 0;
        Poco::Data::Statement select(session);
        select << sql(spool_sql::head_of_sink), use(d.sink), into(d.id), into(d.route),
            into(d.payload), into(d.idempotency_key), into(d.created_ms), into(d.next_ms),
            into(d.attempts), into(d.last_error), into(holder), into(held_until), into(in_call),
            into(d.interrupted);
        if (select.execute() == 0) {
            // The sink has nothing left: the moment to give a backlog's space back. Here, not
            // in complete(), so that deliveries in a stream pay nothing for it.
            if (store_.kind == StoreUrl::Kind::sqlite) compact_if_drained(session);
            return claim;
        }
        const int64_t current = now_ms();
        claim.waiting = true;
        if (d.next_ms > current) {
            claim.retry_at_ms = d.next_ms;
            return claim;
        }
        if (!holder.empty() && holder != owner_ && held_until >= current) {
            claim.held_elsewhere = true;
            claim.retry_at_ms = held_until + 1;
            return claim;
        }
        int64_t until = current + lease_.count();
        Poco::Data::Statement update(session);
        update << sql(spool_sql::claim_delivery), use(owner_), use(until), use(d.id),
            use(d.attempts), bind(current), use(owner_), bind(current);
        if (update.execute() != 1) {
            // Another replica was quicker, or the row changed: read it again.
            claim.held_elsewhere = true;
            claim.retry_at_ms = current;
            return claim;
        }
        claim.waiting = false;
        d.interrupted += in_call;  // as the claim just recorded
        if (!holder.empty() && holder != owner_) claim.taken_over_from = holder;
        claim.delivery = std::move(d);
        return claim;
    });
    if (result.delivery) {
        std::lock_guard lock(held_mutex_);
        held_deliveries_.insert(result.delivery->id);
    }
    return result;
}

void Spool::complete(int64_t id) {
    // Delivered is delivered: the row goes even if the lease was lost meanwhile.
    with_dispatch([&](Poco::Data::Session& session) {
        session << sql(spool_sql::delete_delivery), use(id), now;
    });
    std::lock_guard lock(held_mutex_);
    held_deliveries_.erase(id);
}

bool Spool::reschedule(int64_t id, uint32_t attempts, int64_t next_ms, const std::string& error) {
    const bool ours = with_dispatch([&](Poco::Data::Session& session) {
        std::string text = error;
        Poco::Data::Statement update(session);
        update << sql(spool_sql::reschedule_delivery), use(attempts), use(next_ms), use(text),
            use(id), use(owner_);
        return update.execute() == 1;
    });
    std::lock_guard lock(held_mutex_);
    held_deliveries_.erase(id);
    return ours;
}

bool Spool::dead_letter(const SpooledDelivery& d, uint32_t attempts, const std::string& reason) {
    const bool ours = with_dispatch([&](Poco::Data::Session& session) {
        int64_t failed = now_ms();
        std::string why = reason;
        SpooledDelivery row = d;
        session.begin();
        try {
            Poco::Data::Statement remove(session);
            remove << sql(spool_sql::delete_leased_delivery), use(row.id), use(owner_);
            const bool removed = remove.execute() == 1;
            if (removed)
                session << sql(spool_sql::insert_dead_letter), use(row.sink), use(row.route),
                    use(row.payload), use(row.idempotency_key), use(row.created_ms), use(failed),
                    use(attempts), use(why), now;
            session.commit();
            return removed;
        } catch (...) {
            rollback_quietly(session);
            throw;
        }
    });
    std::lock_guard lock(held_mutex_);
    held_deliveries_.erase(d.id);
    return ours;
}

// SQLite only (PostgreSQL's autovacuum does this for its tables). SQLite keeps the pages of
// deleted rows inside the file, so a spool that once held a backlog would keep its peak size for
// ever. Once the spool has drained with at least compact_min_free_pages free, it is rewritten
// (VACUUM: it copies only the live rows, which a drained spool has none of, so it takes
// milliseconds) and the WAL is emptied. While deliveries wait nothing is done: new rows reuse the
// free pages. Not incremental auto-vacuum: its pointer-map pages cost every commit something, and
// this costs nothing until a backlog has gone. Best effort: a failure waits for the next drain.
void Spool::compact_if_drained(Poco::Data::Session& session) noexcept {
    try {
        int free_pages = 0;
        session << "PRAGMA freelist_count", into(free_pages), now;
        if (free_pages < spool_sql::compact_min_free_pages) return;
        int pending = 0;
        session << spool_sql::any_delivery, into(pending), now;
        if (pending > 0) return;
        session << "VACUUM", now;
        // TRUNCATE: the WAL is copied back and cut to zero bytes; the file shrinks with it.
        session << "PRAGMA wal_checkpoint(TRUNCATE)", now;
    } catch (...) {
    }
}

std::vector<std::pair<std::string, int64_t>> Spool::dead_letter_removed_sinks(
    const std::set<std::string>& configured, const std::string& reason) {
    auto moved = with_dispatch([&](Poco::Data::Session& session) {
        std::vector<std::string> spooled;
        session << sql(spool_sql::spooled_sinks), into(spooled), now;
        std::vector<std::pair<std::string, int64_t>> result;
        for (auto& sink : spooled) {
            if (configured.count(sink)) continue;
            std::vector<int64_t> ids, created;
            std::vector<std::string> routes, payloads, keys;
            std::vector<uint32_t> attempts;
            session << sql(spool_sql::rows_of_sink), use(sink), into(ids), into(routes),
                into(payloads), into(keys), into(created), into(attempts), now;
            int64_t count = 0, failed = now_ms();
            std::string why = reason;
            session.begin();
            try {
                for (size_t i = 0; i < ids.size(); ++i) {
                    Poco::Data::Statement remove(session);
                    remove << sql(spool_sql::delete_free_delivery), use(ids[i]), use(failed);
                    if (remove.execute() != 1) continue;
                    session << sql(spool_sql::insert_dead_letter), use(sink), use(routes[i]),
                        use(payloads[i]), use(keys[i]), use(created[i]), use(failed),
                        use(attempts[i]), use(why), now;
                    ++count;
                }
                session.commit();
            } catch (...) {
                rollback_quietly(session);
                throw;
            }
            if (count) result.emplace_back(sink, count);
        }
        if (!result.empty() && store_.kind == StoreUrl::Kind::sqlite) compact_if_drained(session);
        return result;
    });
    return moved;
}

int64_t Spool::prune_dead_letters() {
    return with_dispatch([&](Poco::Data::Session& session) {
        int64_t before = now_ms() - retention_.count();
        Poco::Data::Statement remove(session);
        remove << sql(spool_sql::prune_dead_letters), use(before);
        const auto pruned = static_cast<int64_t>(remove.execute());
        session << sql(spool_sql::prune_discarded_dead_letters), use(before), now;
        return pruned;
    });
}

SpoolStats Spool::stats() {
    return with_connection(stats_, stats_mutex_, [&](Poco::Data::Session& session) {
        SpoolStats s;
        session << sql(spool_sql::depth_and_oldest), into(s.depth), into(s.oldest_created_ms), now;
        session << sql(spool_sql::dead_letter_count), into(s.dead_letters), now;
        return s;
    });
}

std::map<std::string, SpoolStats> Spool::sink_stats() {
    return with_connection(stats_, stats_mutex_, [&](Poco::Data::Session& session) {
        std::map<std::string, SpoolStats> by_sink;
        std::vector<std::string> sinks;
        std::vector<int64_t> depths, oldest, dead;
        session << sql(spool_sql::depth_and_oldest_by_sink), into(sinks), into(depths),
            into(oldest), now;
        for (size_t i = 0; i < sinks.size(); ++i) {
            by_sink[sinks[i]].depth = depths[i];
            by_sink[sinks[i]].oldest_created_ms = oldest[i];
        }
        sinks.clear();
        session << sql(spool_sql::dead_letter_count_by_sink), into(sinks), into(dead), now;
        for (size_t i = 0; i < sinks.size(); ++i) by_sink[sinks[i]].dead_letters = dead[i];
        return by_sink;
    });
}

// ---------------------------------------------------------------- scheduled hooks

std::optional<int64_t> Spool::hook_last_slot(const std::string& sink, const std::string& hook) {
    return with_dispatch([&](Poco::Data::Session& session) -> std::optional<int64_t> {
        int64_t slot = 0, until = 0;
        std::string s = sink, h = hook, runner;
        Poco::Data::Statement select(session);
        select << sql(spool_sql::read_hook_run), use(s), use(h), into(slot), into(runner),
            into(until);
        if (select.execute() == 0) return std::nullopt;
        return slot;
    });
}

void Spool::set_hook_last_slot(const std::string& sink, const std::string& hook, int64_t slot_ms) {
    with_dispatch([&](Poco::Data::Session& session) {
        std::string s = sink, h = hook;
        session << sql(spool_sql::write_hook_run), use(s), use(h), use(slot_ms), now;
    });
}

int64_t Spool::init_hook(const std::string& sink, const std::string& hook, int64_t start_ms) {
    with_dispatch([&](Poco::Data::Session& session) {
        std::string s = sink, h = hook;
        session << sql(spool_sql::insert_hook_run), use(s), use(h), use(start_ms), now;
    });
    return hook_last_slot(sink, hook).value_or(start_ms);
}

HookClaim Spool::claim_hook_run(const std::string& sink, const std::string& hook,
                                int64_t last_slot_ms) {
    HookClaim result = with_dispatch([&](Poco::Data::Session& session) {
        HookClaim claim;
        std::string s = sink, h = hook;
        int64_t current = now_ms(), until = current + lease_.count(), expected = last_slot_ms;
        Poco::Data::Statement update(session);
        update << sql(spool_sql::claim_hook_run), use(owner_), use(until), use(s), use(h),
            use(expected), use(current);
        if (update.execute() == 1) {
            claim.claimed = true;
            claim.last_slot_ms = last_slot_ms;
            return claim;
        }
        std::string runner;
        Poco::Data::Statement select(session);
        select << sql(spool_sql::read_hook_run), use(s), use(h), into(claim.last_slot_ms),
            into(runner), into(claim.busy_until_ms);
        if (select.execute() == 0) {
            // Not recorded (a new store, or rows removed by hand): record it and run it.
            session << sql(spool_sql::insert_hook_run), use(s), use(h), use(expected), now;
            claim.last_slot_ms = expected;
            claim.busy_until_ms = 0;
        }
        return claim;
    });
    if (result.claimed) {
        std::lock_guard lock(held_mutex_);
        held_hooks_.emplace(sink, hook);
    }
    return result;
}

void Spool::finish_hook_run(const std::string& sink, const std::string& hook, int64_t slot_ms) {
    {
        std::lock_guard lock(held_mutex_);
        held_hooks_.erase({sink, hook});
    }
    with_dispatch([&](Poco::Data::Session& session) {
        std::string s = sink, h = hook;
        session << sql(spool_sql::finish_hook_run), use(slot_ms), use(s), use(h), use(owner_), now;
    });
}

void Spool::fail_hook_run(const std::string& sink, const std::string& hook,
                          int64_t retry_after_ms) {
    {
        std::lock_guard lock(held_mutex_);
        held_hooks_.erase({sink, hook});
    }
    with_dispatch([&](Poco::Data::Session& session) {
        std::string s = sink, h = hook;
        session << sql(spool_sql::fail_hook_run), use(retry_after_ms), use(s), use(h), use(owner_),
            now;
    });
}

// ---------------------------------------------------------------- leases

// Pushes the leases of the work in progress forward, a third of a lease at a time, so that they
// expire only when this replica stops (dies, hangs its process, loses the store).
void Spool::lease_loop() {
    const auto period = std::min(lease_ / 3, prune_every_);
    auto last_prune = std::chrono::steady_clock::now();
    for (;;) {
        {
            std::unique_lock lock(queue_mutex_);
            if (lease_cv_.wait_for(lock, period, [&] { return stopping_; })) return;
        }
        if (std::chrono::steady_clock::now() - last_prune >= prune_every_) {
            last_prune = std::chrono::steady_clock::now();
            try {
                prune_dead_letters();
            } catch (const std::exception&) {
                // The store is unreachable: the next round tries again.
            }
        }
        std::vector<int64_t> deliveries;
        std::vector<std::pair<std::string, std::string>> hooks;
        {
            std::lock_guard lock(held_mutex_);
            deliveries.assign(held_deliveries_.begin(), held_deliveries_.end());
            hooks.assign(held_hooks_.begin(), held_hooks_.end());
        }
        if (deliveries.empty() && hooks.empty()) continue;
        try {
            with_dispatch([&](Poco::Data::Session& session) {
                int64_t until = now_ms() + lease_.count();
                for (int64_t id : deliveries)
                    session << sql(spool_sql::renew_delivery_lease), use(until), use(id),
                        use(owner_), now;
                for (auto& [sink, hook] : hooks)
                    session << sql(spool_sql::renew_hook_lease), use(until), use(sink), use(hook),
                        use(owner_), now;
            });
        } catch (const std::exception&) {
            // The store is unreachable: the next round tries again; if it stays so, the leases
            // expire and another replica takes the work over, which is what should happen.
        }
    }
}

}  // namespace tg::host
