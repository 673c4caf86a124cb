#include "spool/spool.hpp"

#include "spool/spool_sql.hpp"
#include "spool/store_session.hpp"
#include "sql/postgresql_session.hpp"

#include <Poco/Data/SQLite/Utility.h>
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
            // The SQLite connections are never opened again (only PostgreSQL's break): handed
            // over once, for the spool's life.
            checkpointer_.take_over(*intake_.session);
            checkpointer_.take_over(*dispatch_.session);
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
    if (store_.kind == StoreUrl::Kind::sqlite)
        checkpointer_.start(
            open_store_session(store_, "NORMAL"), [this] { return sqlite_writer_first(); },
            options.wal_held_frames);
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
    checkpointer_.stop();
}

std::string Spool::sql(const char* statement) const {
    return spool_sql::text(dialect_of(store_), statement);
}

Spool::Connection::~Connection() {
    if (session) tg::sql::close_session(*session);
}

Poco::Data::Session& Spool::usable(Connection& connection, const char* synchronous) {
    if (connection.broken) {
        tg::sql::close_session(*connection.session);
        connection.session = open_store_session(store_, synchronous);
        connection.broken = false;
    }
    return *connection.session;
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
    session.begin();
    try {
        if (store_.kind == StoreUrl::Kind::postgresql)
            session << spool_sql::intake_lock_postgresql, now;
        if (rows.empty()) {  // a readiness probe: write, and leave nothing behind
            const std::string payload(failed_bytes_, '-');
            session << sql(spool_sql::insert_probe), useRef(payload), now;
            session << spool_sql::delete_probe, now;
        }
        if (store_.kind == StoreUrl::Kind::sqlite)
            insert_rows_sqlite(session, rows, created);
        else
            insert_rows(session, rows, created);
        session.commit();
    } catch (...) {
        rollback_quietly(session);
        throw;
    }
}

void Spool::insert_rows(Poco::Data::Session& session, const std::vector<NewDelivery*>& rows,
                        int64_t created) {
    const std::string insert = sql(spool_sql::insert_delivery);
    for (NewDelivery* d : rows) {
        int64_t next = created;
        session << insert, use(d->sink), use(d->route), use(d->payload), use(d->idempotency_key),
            bind(created), use(next), use(d->group_key), now;
    }
}

void Spool::insert_rows_sqlite(Poco::Data::Session& session, const std::vector<NewDelivery*>& rows,
                               int64_t created) {
    // The intake's SQLite connection is never opened again: prepared once, for the spool's life.
    if (!sqlite_insert_)
        sqlite_insert_.emplace(Poco::Data::SQLite::Utility::dbHandle(session),
                               sql(spool_sql::insert_delivery));
    for (const NewDelivery* d : rows) {
        sqlite_insert_->bind(1, d->sink);
        sqlite_insert_->bind(2, d->route);
        sqlite_insert_->bind(3, d->payload);
        sqlite_insert_->bind(4, d->idempotency_key);
        sqlite_insert_->bind(5, created);  // created_ms
        sqlite_insert_->bind(6, created);  // next_ms: due at once
        sqlite_insert_->bind(7, d->group_key);
        sqlite_insert_->run();
    }
}

std::unique_lock<std::mutex> Spool::sqlite_writer() {
    if (store_.kind != StoreUrl::Kind::sqlite) return {};
    return sqlite_writers_.in_turn();
}

std::unique_lock<std::mutex> Spool::sqlite_writer_first() {
    if (store_.kind != StoreUrl::Kind::sqlite) return {};
    return sqlite_writers_.first();
}

void Spool::write_batches(std::vector<Batch>& batches) {
    const int64_t created = now_ms();
    const int attempts = store_.kind == StoreUrl::Kind::postgresql ? postgresql_write_attempts : 1;
    std::string error;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        try {
            {
                std::unique_lock writing = sqlite_writer_first();
                insert_batches(usable(intake_, "FULL"), batches, created);
            }
            set_write_error("");
            failed_bytes_ = 0;
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
    size_t bytes = 0;
    for (auto& batch : batches)
        for (auto& d : batch.deliveries) bytes += d.payload.size();
    // A probe keeps its length. Room for the write that failed and 1 MiB more, not for that
    // write alone: a WAL that started again has its old length to write into, so a full disk
    // takes one more short write now and then, and the spool is not ready for that.
    if (bytes > 0) failed_bytes_ = std::min(bytes + (1 << 20), max_probe_bytes);
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

}  // namespace tg::host
