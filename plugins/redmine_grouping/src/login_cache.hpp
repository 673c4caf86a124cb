// The logins the lanes of a sink looked up through /users.json (assignee_label may name any
// user): shared, so that a login named by alerts of several groups at once is looked up once,
// and bounded, the oldest login forgotten first.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace tg::redmine {

class LoginCache {
  public:
    using Find = std::function<std::optional<int64_t>()>;

    explicit LoginCache(size_t capacity) : capacity_(capacity) {}

    // The id remembered for `login` (nullopt: looked up, and no such user), else what `find`
    // answers, remembered. One lookup at a time: a lane naming the login another is looking up
    // waits for its answer. When `find` throws, nothing is remembered.
    std::optional<int64_t> get_or_find(const std::string& login, const Find& find);
    size_t size() const;

  private:
    const size_t capacity_;
    mutable std::mutex mutex_;
    std::map<std::string, std::optional<int64_t>> ids_;
    std::deque<std::string> order_;  // oldest first
};

}  // namespace tg::redmine
