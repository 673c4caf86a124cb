#include "login_cache.hpp"

namespace tg::redmine {

std::optional<int64_t> LoginCache::get_or_find(const std::string& login, const Find& find) {
    std::lock_guard lock(mutex_);
    if (auto it = ids_.find(login); it != ids_.end()) return it->second;
    const std::optional<int64_t> found = find();
    if (capacity_ == 0) return found;
    if (order_.size() >= capacity_) {
        ids_.erase(order_.front());
        order_.pop_front();
    }
    ids_[login] = found;
    order_.push_back(login);
    return found;
}

size_t LoginCache::size() const {
    std::lock_guard lock(mutex_);
    return ids_.size();
}

}  // namespace tg::redmine
