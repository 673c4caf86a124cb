// The named locks of one sink instance's embedded store, shared by its delivery lanes (each lane
// has a connection of its own to the one SQLite file). What PostgreSQL's advisory locks are to
// replicas on a shared store, this is to the lanes of one process: one holder per name (a group,
// the rebuild), the others wait. A holder may take a name it holds again (a hook that holds a
// group and applies an alert of it), as a PostgreSQL session may.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

namespace tg::redmine {

class LockTable {
  public:
    // As long as a replica waits for another's advisory lock (state_store.cpp's lock_timeout).
    static constexpr std::chrono::seconds kLongestWait{60};

    explicit LockTable(std::chrono::milliseconds longest_wait = kLongestWait)
        : longest_wait_(longest_wait) {}

    // Waits until no other holder has `name`, then holds it for `holder` (one more time, when it
    // holds it already). Throws std::runtime_error after the longest wait: the delivery is
    // retried later rather than stalled behind a stuck one.
    void hold(const std::string& name, const void* holder);
    // Gives back one hold of `name` by `holder`; never throws.
    void release(const std::string& name, const void* holder) noexcept;

  private:
    struct Held {
        const void* holder = nullptr;
        int times = 0;
    };
    std::chrono::milliseconds longest_wait_;
    std::mutex mutex_;
    std::condition_variable released_;
    std::map<std::string, Held> held_;  // only the names held now
};

}  // namespace tg::redmine
