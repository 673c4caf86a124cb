#include "learned_format.hpp"

namespace tg::redmine {

LearnedFormat::Turn LearnedFormat::take_turn(const void* lane) {
    std::unique_lock lock(mutex_);
    while (seen_.state == State::unknown && holder_ && holder_ != lane) {
        // A claim's age, not the wait's: a lane arriving late waits only what remains of it.
        if (changed_.wait_until(lock, claimed_at_ + longest_wait_) == std::cv_status::timeout &&
            seen_.state == State::unknown && holder_ && holder_ != lane &&
            Steady::now() >= claimed_at_ + longest_wait_)
            holder_ = nullptr;  // stale: taken over below
    }
    Turn turn{seen_, false};
    if (seen_.state == State::unknown) {
        if (holder_ != lane) claimed_at_ = Steady::now();
        holder_ = lane;
        turn.mine = true;
    }
    return turn;
}

LearnedFormat::Seen LearnedFormat::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

LearnedFormat::Seen LearnedFormat::settle(const void* lane, State state, TextFormat format,
                                          const std::string& where) {
    Seen stands;
    {
        std::lock_guard lock(mutex_);
        if (seen_.state == State::unknown) {
            seen_.state = state;
            seen_.format = format;
            seen_.where = where;
        }
        if (holder_ == lane) holder_ = nullptr;
        stands = seen_;
    }
    changed_.notify_all();
    return stands;
}

void LearnedFormat::project_looked(const void* lane) {
    std::lock_guard lock(mutex_);
    seen_.project_looked = true;
    if (!holder_) {
        holder_ = lane;
        claimed_at_ = Steady::now();
    }
}

void LearnedFormat::release(const void* lane) noexcept {
    {
        std::lock_guard lock(mutex_);
        if (holder_ != lane) return;
        holder_ = nullptr;
    }
    changed_.notify_all();
}

}  // namespace tg::redmine
