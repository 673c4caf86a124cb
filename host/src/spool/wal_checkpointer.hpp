// SQLite only: when and where the spool's WAL is copied back into the database file. SQLite's
// automatic checkpoint runs inside the commit that grows the WAL past 1000 frames: it writes the
// pages back and fsyncs the database file before the commit returns. In the intake's commit that
// held up the acknowledgment of every webhook request of the batch (up to 20 ms: the ingest's
// tail); in the dispatcher's, under the lock the intake shares with it, the same; and a checkpoint
// run by the intake's own thread after its batch still held up the next batch. The connections
// taken over here only note the WAL's length in their commits; a thread of its own, on a
// connection of its own, checkpoints once the WAL is due: the bulk beside the commits that go on
// meanwhile, then what they added under the writers' lock, so that the WAL is wholly copied back
// and the next commit starts it again from its beginning. The WAL's frames are as durable before
// a checkpoint as after it.
#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

struct sqlite3;

namespace tg::host {

class WalCheckpointer {
  public:
    // The WAL's length, in frames, from which it is checkpointed (SQLite's own default).
    static constexpr int due_frames = 1000;
    // Holds off the spool's writing connections while held (Spool::sqlite_writer).
    using WriterLock = std::function<std::unique_lock<std::mutex>()>;

    WalCheckpointer() = default;
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;
    ~WalCheckpointer() { stop(); }

    // From now on `writer` (a connection to the spool) no longer checkpoints in its commits.
    void take_over(Poco::Data::Session& writer);
    // Starts the thread, which checkpoints on `session` (a connection to the same spool).
    void start(Poco::Data::Session session, WriterLock lock_writers);
    // Ends the thread (a checkpoint under way finishes first) and closes its connection.
    void stop() noexcept;

  private:
    // SQLite calls this after every commit of a connection taken over, with the WAL's length.
    static int on_commit(void* self, sqlite3* db, const char* name, int frames);
    void run();
    void checkpoint() noexcept;  // PASSIVE: it waits for no reader or writer

    std::mutex mutex_;
    std::condition_variable wake_;
    bool due_ = false;
    bool stopping_ = false;
    std::optional<Poco::Data::Session> session_;
    WriterLock lock_writers_;
    std::thread thread_;
};

}  // namespace tg::host
