// SQLite lets one connection write at a time; one that finds the file locked sleeps in its busy
// handler (1, 2, 5, 10 ms ... whatever the holder takes) and the intake's batch, with every
// webhook request in it, waits that long after the dispatcher's write has ended. The spool's
// writers (the intake, the dispatcher, the WAL checkpoint's held pass) take turns on this lock
// instead, and the one waiting wakes the moment the other is done.
//
// A plain mutex goes to whoever asks next, and a writer that asks again right after its own write
// (the dispatcher delivering a backlog, the intake under a stream of webhooks) kept another
// waiting for as long as it went on: a held checkpoint pass waited through 600 commits. The
// intake and the checkpoint go `first`: before every write that asks after them.
#pragma once

#include <mutex>

namespace tg::host {

class SqliteWriters {
  public:
    std::unique_lock<std::mutex> in_turn() {
        { std::lock_guard behind_first(gate_); }
        return std::unique_lock(write_);
    }
    std::unique_lock<std::mutex> first() {
        std::lock_guard ahead(gate_);  // held until this one writes: the others queue here
        return std::unique_lock(write_);
    }

  private:
    std::mutex gate_;
    std::mutex write_;
};

}  // namespace tg::host
