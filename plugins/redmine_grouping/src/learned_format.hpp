// The text formatting the lanes of one sink instance learned from Redmine (text_format.hpp),
// learned once for all of them: parallelism adds no reads. One lane at a time probes (reads
// the newest issue's or the project's page, or, the project being empty, creates the sink's
// first issue and reads its page); the others wait for what it learns rather than read the
// same pages, or write format-neutral issues only to write their descriptions again.
//
// The wait is bounded: a claim older than the wait (the request timeout) is taken over, so that
// a prober stuck in a slow Redmine, or a delivery that failed without giving its claim back,
// holds the others that long at most. A prober gives its claim back when it fails, and when
// its delivery ends.
#pragma once

#include "config.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace tg::redmine {

class LearnedFormat {
  public:
    enum class State { unknown, known, unknowable };
    struct Seen {
        State state = State::unknown;
        TextFormat format = TextFormat::neutral;
        std::string where;  // known: the page it was seen on; unknowable: why not
        // The project had no issue page showing it: the sink's first issue will.
        bool project_looked = false;
    };
    struct Turn {
        Seen seen;
        bool mine = false;  // the caller holds the claim: it probes, the others wait
    };

    explicit LearnedFormat(std::chrono::milliseconds longest_wait) : longest_wait_(longest_wait) {}
    LearnedFormat(const LearnedFormat&) = delete;
    LearnedFormat& operator=(const LearnedFormat&) = delete;

    // While the formatting is unknown and another lane holds the claim, waits until it is
    // learned, given back or stale; then, if it is still unknown and unclaimed, claims it for
    // `lane` (which may hold it already). Never throws.
    Turn take_turn(const void* lane);
    Seen seen() const;
    // Records what was learned (the first answer stands: they are of one Redmine), gives back
    // `lane`'s claim and wakes the waiters. Returns what stands.
    Seen settle(const void* lane, State state, TextFormat format, const std::string& where);
    // The project shows no formatting (no issue, or none the sink's user may edit): the claim
    // stays with `lane`, whose first issue will show it.
    void project_looked(const void* lane);
    // Gives back `lane`'s claim, if it holds it, without an answer (a failed probe, a delivery
    // that ended): a waiter takes it. Never throws.
    void release(const void* lane) noexcept;

  private:
    using Steady = std::chrono::steady_clock;
    const std::chrono::milliseconds longest_wait_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    Seen seen_;
    const void* holder_ = nullptr;
    Steady::time_point claimed_at_;
};

}  // namespace tg::redmine
