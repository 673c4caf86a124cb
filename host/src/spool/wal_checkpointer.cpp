#include "spool/wal_checkpointer.hpp"

#include "sql/postgresql_session.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

using namespace Poco::Data::Keywords;

namespace tg::host {

void WalCheckpointer::take_over(Poco::Data::Session& writer) {
    // Replaces the connection's automatic checkpoint, which is this same hook as set by
    // sqlite3_wal_autocheckpoint.
    sqlite3_wal_hook(Poco::Data::SQLite::Utility::dbHandle(writer), &WalCheckpointer::on_commit,
                     this);
}

void WalCheckpointer::start(Poco::Data::Session session, WriterLock lock_writers) {
    session_.emplace(std::move(session));
    lock_writers_ = std::move(lock_writers);
    thread_ = std::thread([this] { run(); });
}

void WalCheckpointer::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (session_) {
        tg::sql::close_session(*session_);
        session_.reset();
    }
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int frames) {
    auto* checkpointer = static_cast<WalCheckpointer*>(self);
    if (frames >= due_frames) {
        {
            std::lock_guard lock(checkpointer->mutex_);
            checkpointer->due_ = true;
        }
        checkpointer->wake_.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return due_ || stopping_; });
        if (stopping_) return;
        due_ = false;
        lock.unlock();
        checkpoint();  // the bulk, while the intake and the dispatcher go on committing
        {
            std::unique_lock writers = lock_writers_();
            checkpoint();  // what they committed meanwhile: the WAL is wholly copied back
        }
        lock.lock();
    }
}

void WalCheckpointer::checkpoint() noexcept {
    try {
        *session_ << "PRAGMA wal_checkpoint(PASSIVE)", now;
    } catch (...) {
        // The next due commit wakes this thread again.
    }
}

}  // namespace tg::host
