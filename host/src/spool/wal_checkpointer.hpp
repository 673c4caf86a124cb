// SQLite only: when the spool's WAL is copied back into the database file. SQLite's automatic
// checkpoint runs inside the commit that grows the WAL past 1000 frames: it writes the pages back
// and fsyncs the database file before the commit returns. In the intake's commit that held up the
// acknowledgment of every webhook request of the batch (up to 20 ms: the ingest's tail); in the
// dispatcher's, under the lock the intake shares with it, the same. The connections taken over
// here only note the WAL's length in their commits; their owners checkpoint when it suits them:
// the intake once its batch is acknowledged, the dispatcher when the intake has left a long WAL
// (a backlog draining while no webhook comes). The WAL's frames are as durable before a
// checkpoint as after it.
#pragma once

#include <Poco/Data/Session.h>

#include <atomic>

struct sqlite3;

namespace tg::host {

class WalCheckpointer {
  public:
    // The WAL's length, in frames, from which the intake checkpoints (SQLite's own default).
    static constexpr int due_frames = 1000;
    // The dispatcher's: later, so that while webhooks come in the intake does it, after its
    // acknowledgments, under the write lock (a checkpoint no writer runs beside lets the next
    // commit start the WAL again from its beginning).
    static constexpr int backstop_frames = 4 * due_frames;

    // From now on `writer` (a connection to the spool) no longer checkpoints in its commits.
    void take_over(Poco::Data::Session& writer);
    // The WAL's length after the last commit of a connection taken over, 0 after a checkpoint.
    int frames() const { return frames_.load(std::memory_order_relaxed); }
    // A PASSIVE checkpoint on `session` (it waits for no reader or writer); false on failure.
    bool checkpoint(Poco::Data::Session& session) noexcept;

  private:
    // SQLite calls this after every commit of a connection taken over, with the WAL's length.
    static int on_commit(void* self, sqlite3* db, const char* name, int frames);

    std::atomic<int> frames_{0};
};

}  // namespace tg::host
