// The bytes that webhook bodies being read and parsed hold at once, across all requests
// (server.max_inflight_bytes): past it a request is refused with 503 and Retry-After, so that
// many large bodies at once cannot take the process's memory. A request reserves what its body
// can cost at most (body_cost), before it reads it: so an admitted request never finds the
// budget gone halfway, which would let a burst of large bodies refuse each other for ever. A
// request alone in flight may go past the budget, so that the largest body allowed is taken.
#pragma once

#include <atomic>
#include <cstddef>

namespace tg::host {

// The body, then its parsed alerts and the payloads made of them (each at most ~4.4 times the
// body, for alerts of one tiny label that gain a status and a fingerprint), held together while
// routing: at most 9 times the body.
constexpr size_t body_cost(size_t body_bytes) { return 9 * body_bytes; }

class IntakeBudget {
  public:
    class Reservation {
      public:
        Reservation(IntakeBudget& budget, size_t limit) : budget_(budget), limit_(limit) {}
        ~Reservation() { hold(0); }
        Reservation(const Reservation&) = delete;
        Reservation& operator=(const Reservation&) = delete;
        // Makes this request's share `bytes` (more or less than before); false when the budget
        // has no room for more, and then the share is unchanged.
        bool hold(size_t bytes);
        bool hold_at_least(size_t bytes) { return bytes <= held_ || hold(bytes); }

      private:
        IntakeBudget& budget_;
        size_t limit_;
        size_t held_ = 0;
    };

    size_t in_use() const { return used_.load(); }

  private:
    std::atomic<size_t> used_{0};
};

}  // namespace tg::host
