// The executor wired as RedmineSink wires it, on the fake tracker with a clock the test moves,
// for the executor's tests (executor_test.cpp, executor_status_test.cpp,
// executor_max_children_test.cpp).
#pragma once

#include "executor.hpp"
#include "fake_tracker.hpp"
#include "issue_json.hpp"

#include <tickets_grouping/testing.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

namespace executor_test {

using namespace tg::redmine;
using rgtest::FakeTracker;

inline constexpr int64_t kStart = 1796288400;  // 2026-12-03T09:00:00Z

inline Config test_config() {
    Config c;
    c.url = "http://tracker.invalid";
    c.project = "alerts";
    c.tracker_id = 1;
    c.status_done = {FakeTracker::kClosed, ""};
    c.status_carryover = {FakeTracker::kCarryOver, ""};
    c.time_zone = "Asia/Tokyo";
    return c;
}

// The executor and what it works with, wired as RedmineSink wires them.
struct Sink {
    rgtest::ManualClock clock{kStart};
    FakeTracker tracker{clock};
    tg::testing::FakeHost fake_host;
    tg::HostServices host{fake_host.services()};
    Config config;
    TextBuilder text{config.text_formatting, config.time_zone, config.language, config.templates};
    TextFormatting formats{config, tracker, text, host};
    StateStore store{(std::filesystem::path(fake_host.state_dir()) / "state.sqlite3").string()};
    StatusCatalog statuses{tracker, config.tracker_id};
    TicketFields fields{config, tracker, text, host};
    Executor executor{config, tracker, store, statuses, text, formats, fields, host, clock};

    explicit Sink(Config c = test_config()) : config(std::move(c)) {}

    // One alert of the webhook, applied at the clock's time.
    void apply(const std::string& alert_json) {
        const auto n = decode_notification(R"({"alerts":[)" + alert_json + "]}");
        REQUIRE(n.alerts.size() == 1);
        executor.apply(n.alerts.front(), "http://am.example", clock.now());
    }
    std::string log() const { return fake_host.log_text(); }
};

// An alert of HighCPU on `host`: firing since `starts` (seconds after kStart), or resolved.
inline std::string alert(const std::string& host, int64_t starts = 0, bool firing = true) {
    const auto at = [](int64_t s) { return redmine_time(kStart + s); };
    return R"({"status":")" + std::string(firing ? "firing" : "resolved") +
           R"(","labels":{"alertname":"HighCPU","instance":")" + host +
           R"(","severity":"critical"},"annotations":{"description":"CPU is high on )" + host +
           R"("},"startsAt":")" + at(starts) + R"(","endsAt":")" +
           (firing ? "0001-01-01T00:00:00Z" : at(starts + 60)) + R"(","fingerprint":"fp-)" + host +
           R"("})";
}

inline const std::string kRoot = "[Root] [Alert] HighCPU";
inline std::string ticket(const std::string& host) { return "[Alert] HighCPU (" + host + ")"; }

}  // namespace executor_test
