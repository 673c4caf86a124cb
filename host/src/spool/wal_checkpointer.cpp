#include "spool/wal_checkpointer.hpp"

#include "sql/postgresql_session.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>

using namespace Poco::Data::Keywords;

namespace tg::host {

void WalCheckpointer::take_over(Poco::Data::Session& writer) {
    // Replaces the connection's automatic checkpoint, which is this same hook as set by
    // sqlite3_wal_autocheckpoint.
    sqlite3_wal_hook(Poco::Data::SQLite::Utility::dbHandle(writer), &WalCheckpointer::on_commit,
                     this);
}

void WalCheckpointer::start(Poco::Data::Session session, WriterLock lock_writers, int held_frames) {
    session_.emplace(std::move(session));
    lock_writers_ = std::move(lock_writers);
    held_frames_ = held_frames;
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
    bool wake = false;
    {
        std::lock_guard lock(checkpointer->mutex_);
        if (frames < checkpointer->last_frames_) {  // the WAL started again from its beginning
            checkpointer->copied_frames_ = 0;
            ++checkpointer->restarts_;
        }
        checkpointer->last_frames_ = frames;
        if (frames > checkpointer->copied_frames_ && !checkpointer->due_)
            wake = checkpointer->due_ = true;
    }
    if (wake) checkpointer->wake_.notify_one();
    return SQLITE_OK;
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return due_ || stopping_; });
        if (stopping_) return;
        due_ = false;
        const uint64_t restarts = restarts_;
        lock.unlock();
        int frames = passive_pass();  // beside the commits that go on meanwhile
        if (frames >= held_frames_) {
            // No quiet moment has let the WAL start again: copy back what the commits added
            // during the pass above while they wait, so that the next one starts it again.
            std::unique_lock writers = lock_writers_();
            frames = std::max(frames, passive_pass());
        }
        lock.lock();
        if (frames >= 0 && restarts_ == restarts) {
            copied_frames_ = frames;
            // Fewer than the last commit saw: the WAL was emptied meanwhile.
            last_frames_ = std::min(last_frames_, frames);
        }
        due_ = last_frames_ > copied_frames_;  // commits came during the pass
    }
}

int WalCheckpointer::passive_pass() noexcept {
    std::lock_guard one_at_a_time(pass_mutex_);
    int frames = -1;
    int copied = -1;
    const int rc = sqlite3_wal_checkpoint_v2(Poco::Data::SQLite::Utility::dbHandle(*session_),
                                             nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
    // A failure: the next due commit wakes this thread again.
    return rc == SQLITE_OK ? frames : -1;
}

void WalCheckpointer::truncate(Poco::Data::Session& session) {
    // SQLite runs one checkpoint at a time and answers any other "busy" at once, with no wait.
    std::lock_guard one_at_a_time(pass_mutex_);
    session << "PRAGMA wal_checkpoint(TRUNCATE)", now;
}

}  // namespace tg::host
