// A fact a sink instance learns from Redmine once for all its delivery lanes (the statuses, the
// trackers' defaults, the priorities, the project's members and categories): parallelism adds
// no reads. The first lane that needs it loads it with its own client (a client serves one lane
// and is not thread-safe: never another lane's), and the lanes that need it meanwhile wait on
// the mutex, then use what it loaded. A load that throws leaves it unlearned, for the next one
// to try. Never forgotten: such settings of Redmine change rarely, and a restart learns again.
#pragma once

#include <mutex>
#include <optional>

namespace tg::redmine {

template <class T>
class Learned {
  public:
    // What was learned, loaded by `load` (a callable returning a T) when nothing was yet. The
    // reference stays valid, unchanged, as long as this object.
    template <class Load>
    const T& get_or_load(Load&& load) {
        std::lock_guard lock(mutex_);
        if (!value_) value_.emplace(load());
        return *value_;
    }

  private:
    std::mutex mutex_;
    std::optional<T> value_;
};

}  // namespace tg::redmine
