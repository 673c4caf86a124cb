#include "spool/spool.hpp"

#include "spool/spool_sql.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>

#include <chrono>

using namespace Poco::Data::Keywords;

namespace tg::host {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

Poco::Data::Session open_session(const std::string& path, const char* synchronous) {
    Poco::Data::SQLite::Connector::registerConnector();
    try {
        Poco::Data::Session session("SQLite", path);
        session << "PRAGMA journal_mode=WAL", now;
        session << std::string("PRAGMA synchronous=") + synchronous, now;
        session << "PRAGMA busy_timeout=10000", now;
        return session;
    } catch (const Poco::Exception& e) {
        throw SpoolError("cannot open the spool " + path + ": " + e.displayText());
    }
}

void migrate(Poco::Data::Session& session) {
    for (const char* statement : spool_sql::create_schema) session << statement, now;
    int version = 0;
    session << spool_sql::read_version, into(version), now;
    if (version < spool_sql::schema_version) {
        int target = spool_sql::schema_version;
        session << spool_sql::write_version, use(target), now;
    }
}

}  // namespace

Spool::Spool(const std::string& database_path)
    : intake_(open_session(database_path, "FULL")),
      dispatch_(open_session(database_path, "NORMAL")) {
    try {
        migrate(intake_);
    } catch (const Poco::Exception& e) {
        throw SpoolError("cannot prepare the spool " + database_path + ": " + e.displayText());
    }
    writer_ = std::thread([this] { writer_loop(); });
}

Spool::~Spool() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    queue_cv_.notify_all();
    writer_.join();
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

void Spool::write_batches(std::vector<Batch>& batches) {
    const int64_t created = now_ms();
    try {
        intake_.begin();
        try {
            for (auto& batch : batches)
                for (auto& d : batch.deliveries) {
                    int64_t next = created;
                    intake_ << spool_sql::insert_delivery, use(d.sink), use(d.route),
                        use(d.payload), use(d.idempotency_key), bind(created), use(next), now;
                }
            intake_.commit();
        } catch (...) {
            try {
                intake_.rollback();
            } catch (...) {
            }
            throw;
        }
        set_write_error("");
        for (auto& batch : batches) batch.done.set_value();
    } catch (const Poco::Exception& e) {
        const std::string error = "spool write failed: " + e.displayText();
        set_write_error(error);
        for (auto& batch : batches) batch.done.set_exception(std::make_exception_ptr(SpoolError(error)));
    } catch (const std::exception& e) {
        const std::string error = std::string("spool write failed: ") + e.what();
        set_write_error(error);
        for (auto& batch : batches) batch.done.set_exception(std::make_exception_ptr(SpoolError(error)));
    }
}

void Spool::set_write_error(const std::string& error) {
    std::lock_guard lock(error_mutex_);
    write_error_ = error;
}

std::string Spool::write_error() const {
    std::lock_guard lock(error_mutex_);
    return write_error_;
}

std::optional<SpooledDelivery> Spool::head(const std::string& sink) {
    std::lock_guard lock(dispatch_mutex_);
    SpooledDelivery d;
    d.sink = sink;
    Poco::Data::Statement select(dispatch_);
    select << spool_sql::head_of_sink, use(d.sink), into(d.id), into(d.route), into(d.payload),
        into(d.idempotency_key), into(d.created_ms), into(d.next_ms), into(d.attempts),
        into(d.last_error);
    if (select.execute() == 0) return std::nullopt;
    return d;
}

void Spool::complete(int64_t id) {
    std::lock_guard lock(dispatch_mutex_);
    dispatch_ << spool_sql::delete_delivery, use(id), now;
}

void Spool::reschedule(int64_t id, uint32_t attempts, int64_t next_ms, const std::string& error) {
    std::lock_guard lock(dispatch_mutex_);
    std::string text = error;
    dispatch_ << spool_sql::reschedule_delivery, use(attempts), use(next_ms), use(text), use(id), now;
}

void Spool::dead_letter(const SpooledDelivery& d, uint32_t attempts, const std::string& reason) {
    std::lock_guard lock(dispatch_mutex_);
    int64_t failed = now_ms();
    std::string why = reason;
    SpooledDelivery row = d;
    dispatch_.begin();
    try {
        dispatch_ << spool_sql::insert_dead_letter, use(row.sink), use(row.route), use(row.payload),
            use(row.idempotency_key), use(row.created_ms), use(failed), use(attempts), use(why), now;
        dispatch_ << spool_sql::delete_delivery, use(row.id), now;
        dispatch_.commit();
    } catch (...) {
        dispatch_.rollback();
        throw;
    }
}

SpoolStats Spool::stats() {
    std::lock_guard lock(dispatch_mutex_);
    SpoolStats s;
    dispatch_ << spool_sql::depth_and_oldest, into(s.depth), into(s.oldest_created_ms), now;
    dispatch_ << spool_sql::dead_letter_count, into(s.dead_letters), now;
    return s;
}

std::optional<int64_t> Spool::hook_last_slot(const std::string& sink, const std::string& hook) {
    std::lock_guard lock(dispatch_mutex_);
    int64_t slot = 0;
    std::string s = sink, h = hook;
    Poco::Data::Statement select(dispatch_);
    select << spool_sql::read_hook_run, use(s), use(h), into(slot);
    if (select.execute() == 0) return std::nullopt;
    return slot;
}

void Spool::set_hook_last_slot(const std::string& sink, const std::string& hook, int64_t slot_ms) {
    std::lock_guard lock(dispatch_mutex_);
    std::string s = sink, h = hook;
    dispatch_ << spool_sql::write_hook_run, use(s), use(h), use(slot_ms), now;
}

}  // namespace tg::host
