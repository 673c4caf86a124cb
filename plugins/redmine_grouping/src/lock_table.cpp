#include "lock_table.hpp"

#include <stdexcept>

namespace tg::redmine {

void LockTable::hold(const std::string& name, const void* holder) {
    std::unique_lock lock(mutex_);
    const auto free_for_us = [&] {
        const auto it = held_.find(name);
        return it == held_.end() || it->second.holder == holder;
    };
    if (!released_.wait_for(lock, longest_wait_, free_for_us)) {
        std::string shown = name.substr(0, 200);
        for (char& c : shown)
            if (c == '\n') c = ' ';  // a group's name is "group\n<root key>"
        throw std::runtime_error("redmine_grouping: the state lock " + shown +
                                 " is held by another delivery for more than " +
                                 std::to_string(longest_wait_.count()) + " ms");
    }
    Held& held = held_[name];
    held.holder = holder;
    ++held.times;
}

void LockTable::release(const std::string& name, const void* holder) noexcept {
    {
        std::lock_guard lock(mutex_);
        const auto it = held_.find(name);
        if (it == held_.end() || it->second.holder != holder) return;
        if (--it->second.times > 0) return;
        held_.erase(it);
    }
    released_.notify_all();
}

}  // namespace tg::redmine
