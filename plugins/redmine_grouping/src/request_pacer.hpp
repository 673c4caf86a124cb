// When the client may send its next request to Redmine: never before the time a 429 or 503
// named in Retry-After, not while a run of failures lasts (a 5xx, 408 or timeout burst: Redmine
// is overloaded or down), and with max_requests_per_second never faster than that. One pacer per
// sink instance, shared by the clients of all its delivery lanes, so that every group, alert and
// hook of the sink backs off together and the rate holds for the sink as a whole: its methods
// may be called from several threads at once.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace tg::redmine {

class RequestPacer {
  public:
    using Clock = std::chrono::steady_clock;
    // A Retry-After longer than this fails the request at once (tg::RetryLater) instead of
    // holding the host's worker: the host's backoff brings it back.
    static constexpr std::chrono::seconds kLongestWait{10};
    static constexpr std::chrono::seconds kLongestRetryAfter{3600};
    // From the third failure in a row, requests are held 1 s, doubling up to this.
    static constexpr int kFailuresBeforeHold = 3;
    static constexpr std::chrono::seconds kLongestHold{15};

    // How the pacer reads the time and waits: the steady clock and a real sleep in the client,
    // a test's own in the unit tests (so the spacing it keeps is seen exactly, not through a
    // server's scheduling jitter). Called by several threads at once, and sleep_until never
    // under the pacer's lock.
    class Timer {
      public:
        virtual ~Timer() = default;
        virtual Clock::time_point now() const = 0;
        virtual void sleep_until(Clock::time_point at) = 0;
    };

    explicit RequestPacer(double max_requests_per_second = 0, Timer* timer = nullptr);

    // Before a request: sleeps until it may go; throws tg::RetryLater naming `what` when
    // Redmine asked for a longer wait than kLongestWait, or while a run of failures holds
    // requests (the host's backoff brings the delivery back; nothing is sent meanwhile). A
    // Retry-After or a hold that another thread's answer brought while this one slept applies
    // to it too.
    void wait_turn(const std::string& what, bool despite_failures = false);
    // After each request: its HTTP status, or 0 when none came (I/O error, timeout).
    void answered(int status);
    // After an answer of 429 or 503: its Retry-After header (seconds, or an HTTP date).
    // Returns the wait it asked for, if it asked for one.
    std::optional<std::chrono::seconds> answered_busy(const std::string& retry_after);

    // Retry-After's value as a wait from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
    static std::optional<std::chrono::seconds> parse_retry_after(const std::string& value);

  private:
    // Under mutex_: the time this request may go, its rate slot taken; throws as wait_turn.
    Clock::time_point take_turn(const std::string& what, bool despite_failures,
                                Clock::time_point now);

    Timer& timer_;
    Clock::duration interval_;
    std::mutex mutex_;  // over the times below
    Clock::time_point not_before_{};
    Clock::time_point held_until_{};  // a run of failures
    int failures_in_a_row_ = 0;
    Clock::time_point next_slot_{};
};

}  // namespace tg::redmine
