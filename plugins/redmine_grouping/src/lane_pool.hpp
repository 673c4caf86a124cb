// The lanes of a sink whose deliveries may run at once (ABI 1.6 delivery groups): each running
// delivery holds one lane alone, and gives it back when it ends. The pool grows when a delivery
// finds none free (the host's concurrency is its own setting: the sink does not know it), and
// never shrinks (a lane is a Redmine session and a state connection, cheap to keep). The first
// lane is made at once, so that a store that cannot be opened fails the sink's creation; the
// hooks, check and probe, which the host runs while no delivery runs, use that one.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace tg::redmine {

template <class Lane>
class LanePool {
  public:
    using Make = std::function<std::unique_ptr<Lane>()>;

    explicit LanePool(Make make) : make_(std::move(make)) {
        lanes_.push_back(make_());
        free_.reserve(1);
        free_.push_back(lanes_.front().get());
    }
    LanePool(const LanePool&) = delete;
    LanePool& operator=(const LanePool&) = delete;

    // A lane held until the lease goes.
    class Lease {
      public:
        Lease(Lease&& other) noexcept : pool_(other.pool_), lane_(other.lane_) {
            other.lane_ = nullptr;
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (lane_) pool_.give_back(lane_);
        }
        Lane& operator*() const { return *lane_; }
        Lane* operator->() const { return lane_; }

      private:
        friend class LanePool;
        Lease(LanePool& pool, Lane* lane) : pool_(pool), lane_(lane) {}
        LanePool& pool_;
        Lane* lane_;
    };

    // A free lane (the one given back last: its session is the likeliest still open), or a new
    // one, made outside the pool's lock (it opens connections). Throws what making one throws.
    Lease take() {
        {
            std::lock_guard lock(mutex_);
            if (!free_.empty()) {
                Lane* lane = free_.back();
                free_.pop_back();
                return Lease(*this, lane);
            }
        }
        auto made = make_();
        Lane* lane = made.get();
        std::lock_guard lock(mutex_);
        free_.reserve(lanes_.size() + 1);  // so that give_back cannot fail
        lanes_.push_back(std::move(made));
        return Lease(*this, lane);
    }

    // The first lane, for what runs while no delivery does (hooks, check, probe).
    Lane& first() { return *lanes_.front(); }

    size_t size() const {
        std::lock_guard lock(mutex_);
        return lanes_.size();
    }
    // Calls f on every lane (a diagnostic's sum): none may be in use meanwhile.
    template <class F>
    void for_each(F f) const {
        std::lock_guard lock(mutex_);
        for (const auto& lane : lanes_) f(*lane);
    }

  private:
    void give_back(Lane* lane) noexcept {
        std::lock_guard lock(mutex_);
        free_.push_back(lane);  // within the capacity reserved for every lane: never throws
    }

    Make make_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Lane>> lanes_;
    std::vector<Lane*> free_;
};

}  // namespace tg::redmine
