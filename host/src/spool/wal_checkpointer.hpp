// SQLite only: when and where the spool's WAL is copied back into the database file. SQLite's
// automatic checkpoint runs inside the commit that grows the WAL past 1000 frames: it writes the
// pages back and fsyncs the database file before the commit returns. In the intake's commit that
// held up the acknowledgment of every webhook request of the batch (up to 20 ms: the ingest's
// tail); in the dispatcher's, under the lock the intake shares with it, the same; and a checkpoint
// run by the intake's own thread after its batch still held up the next batch. The connections
// taken over here only note the WAL's length in their commits; a thread of its own, on a
// connection of its own, copies back what they added, pass after pass while commits come, beside
// them. Small passes spread the copying out: one pass per 1000 frames wrote 4 MiB at once, and
// the intake's fsyncs waited behind it on the disk (the ingest's p99 grew by half). The WAL's
// frames are as durable before a checkpoint as after it.
//
// The WAL starts again from its beginning (and stops growing) at the first commit after a pass
// that copied all of it: one during which nothing was committed. Between webhooks that comes by
// itself. Under a sustained stream of commits it may not, so once the WAL has grown to
// `held_frames` a pass runs under the writers' lock, and the commits wait for its fsync of the
// database file: only what was committed during the pass before is left to copy then.
#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

struct sqlite3;

namespace tg::host {

class WalCheckpointer {
  public:
    // The WAL's length from which a pass holds off the writers (64 MiB of 4 KiB pages). Under a
    // sustained stream of commits that is once every few seconds; at a quarter of it, the
    // ingest's p99 was a fifth longer.
    static constexpr int default_held_frames = 16000;
    // Holds off the spool's writing connections while held: taken before the writes that ask
    // after it (SqliteWriters::first).
    using WriterLock = std::function<std::unique_lock<std::mutex>()>;

    WalCheckpointer() = default;
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;
    ~WalCheckpointer() { stop(); }

    // From now on `writer` (a connection to the spool) no longer checkpoints in its commits.
    void take_over(Poco::Data::Session& writer);
    // Starts the thread, which checkpoints on `session` (a connection to the same spool).
    void start(Poco::Data::Session session, WriterLock lock_writers,
               int held_frames = default_held_frames);
    // Ends the thread (a checkpoint under way finishes first) and closes its connection.
    void stop() noexcept;
    // Copies the whole WAL back and cuts it to zero bytes, on `session` (a connection to the same
    // spool, holding off the writers), once the pass under way is done.
    void truncate(Poco::Data::Session& session);

  private:
    // SQLite calls this after every commit of a connection taken over, with the WAL's length.
    static int on_commit(void* self, sqlite3* db, const char* name, int frames);
    void run();
    // PASSIVE: it waits for no reader or writer. Returns the WAL's length it saw (all of which it
    // copied, unless a reader still used it), or -1 when it failed.
    int passive_pass() noexcept;

    std::mutex pass_mutex_;  // taken after the writers' lock
    std::mutex mutex_;
    std::condition_variable wake_;
    int last_frames_ = 0;    // the WAL's length at the last commit
    int copied_frames_ = 0;  // the WAL's length the last pass copied back
    uint64_t restarts_ = 0;  // how often a commit found the WAL started again
    bool due_ = false;
    bool stopping_ = false;
    std::optional<Poco::Data::Session> session_;
    WriterLock lock_writers_;
    int held_frames_ = default_held_frames;
    std::thread thread_;
};

}  // namespace tg::host
