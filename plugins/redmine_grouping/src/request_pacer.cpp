#include "request_pacer.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <thread>

namespace tg::redmine {

namespace {

class SteadyTimer final : public RequestPacer::Timer {
  public:
    RequestPacer::Clock::time_point now() const override { return RequestPacer::Clock::now(); }
    void sleep_until(RequestPacer::Clock::time_point at) override {
        std::this_thread::sleep_until(at);
    }
};

RequestPacer::Timer& steady_timer() {
    static SteadyTimer timer;  // stateless: one for every client
    return timer;
}

}  // namespace

RequestPacer::RequestPacer(double max_requests_per_second, Timer* timer)
    : timer_(timer ? *timer : steady_timer()),
      interval_(max_requests_per_second > 0
                    ? std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(1.0 / max_requests_per_second))
                    : Clock::duration::zero()) {}

std::optional<std::chrono::seconds> RequestPacer::parse_retry_after(const std::string& value) {
    const std::string v = Poco::trim(value);
    if (v.empty()) return std::nullopt;
    std::chrono::seconds wait{0};
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (v.size() > 9) return kLongestRetryAfter;
        wait = std::chrono::seconds(std::stoll(v));
    } else {
        Poco::DateTime at;
        int tzd = 0;  // always GMT: the read-back below admits nothing else
        // Poco's parser takes nearly anything: the date must read back as it came (RFC 9110's
        // IMF-fixdate, the one form a sender may use).
        if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::HTTP_FORMAT, v, at, tzd) ||
            Poco::DateTimeFormatter::format(at, Poco::DateTimeFormat::HTTP_FORMAT) != v)
            return std::nullopt;  // neither form: no wait asked for
        const auto delta = (at.timestamp() - Poco::Timestamp()) / Poco::Timestamp::resolution();
        wait = std::chrono::seconds(std::max<Poco::Timestamp::TimeDiff>(0, delta));
    }
    return std::min(wait, std::chrono::seconds(kLongestRetryAfter));
}

std::optional<std::chrono::seconds> RequestPacer::answered_busy(const std::string& retry_after) {
    const auto wait = parse_retry_after(retry_after);
    const auto now = timer_.now();
    std::lock_guard lock(mutex_);
    if (wait) not_before_ = std::max(not_before_, now + *wait);
    return wait;
}

void RequestPacer::answered(int status) {
    const auto now = timer_.now();
    std::lock_guard lock(mutex_);
    if (status != 0 && status < 500 && status != 408) {
        failures_in_a_row_ = 0;
        held_until_ = {};  // Redmine answers: the run is over
        return;
    }
    if (++failures_in_a_row_ < kFailuresBeforeHold) return;
    const int doublings = std::min(failures_in_a_row_ - kFailuresBeforeHold, 4);
    held_until_ =
        now + std::min<Clock::duration>(std::chrono::seconds(1 << doublings), kLongestHold);
}

void RequestPacer::wait_turn(const std::string& what, bool despite_failures) {
    for (;;) {
        const auto now = timer_.now();
        std::unique_lock lock(mutex_);
        const auto at = take_turn(what, despite_failures, now);
        if (at <= now) return;
        lock.unlock();
        timer_.sleep_until(at);
        lock.lock();
        // Another thread's answer while this one slept: a later Retry-After, or a run of
        // failures that now holds requests, is this request's too (the next turn says which).
        if (not_before_ <= at && (despite_failures || held_until_ <= at)) return;
    }
}

RequestPacer::Clock::time_point RequestPacer::take_turn(const std::string& what,
                                                        bool despite_failures,
                                                        Clock::time_point now) {
    if (held_until_ > now && !despite_failures)
        throw tg::RetryLater(
            what + ": not sent: Redmine failed " + std::to_string(failures_in_a_row_) +
            " times in a row; requests are held for " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::milliseconds>(held_until_ - now).count()) +
            " ms");
    auto at = std::max(now, not_before_);
    if (at - now > kLongestWait)
        throw tg::RetryLater(
            what + ": not sent: Redmine asked to wait (Retry-After) " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(at - now).count()) +
            " s more");
    if (interval_ > Clock::duration::zero()) {
        at = std::max(at, next_slot_);
        next_slot_ = at + interval_;
    }
    return at;
}

}  // namespace tg::redmine
