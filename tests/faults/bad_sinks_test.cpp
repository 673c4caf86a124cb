// Scenario e: sinks that block, throw through the C ABI, or return garbage: the host keeps
// serving, the healthy sink keeps delivering, the stuck work shows in the metrics, and SIGTERM
// still ends the process (the dispatcher gives up on the blocked call after its grace period).
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace tg;
using namespace tg::faults;

TEST_CASE(
    "a blocking, a throwing and a garbage sink: the others keep delivering, SIGTERM still exits",
    "[faults][concurrency]") {
    const auto started = std::chrono::steady_clock::now();
    test::TempDir dir;
    const std::string out = dir / "alerts.jsonl";
    const std::string bad = TG_FAULT_SINK_PATH;
    test::write_file(
        dir / "routes.yaml",
        "sinks:\n"
        "  logs:\n    plugin: log_sink\n    config:\n      path: " +
            out +
            "\n"
            "  stuck:\n    plugin: " +
            bad +
            "\n    config:\n      mode: block\n      block_seconds: 3600\n"
            "  thrower:\n    plugin: " +
            bad +
            "\n    config:\n      mode: throw\n"
            "    retry:\n      initial_backoff: 100ms\n      max_backoff: 500ms\n"
            "  garbage:\n    plugin: " +
            bad +
            "\n    config:\n      mode: garbage\n"
            "    retry:\n      initial_backoff: 100ms\n      max_backoff: 500ms\n"
            "route:\n  sink: logs\n  routes:\n"
            "    - {matchers: ['alertname =~ \".+\"'], sink: stuck, continue: true}\n"
            "    - {matchers: ['alertname =~ \".+\"'], sink: thrower, continue: true}\n"
            "    - {matchers: ['alertname =~ \".+\"'], sink: garbage, continue: true}\n"
            "    - {matchers: ['alertname =~ \".+\"'], sink: logs}\n");
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log");
    REQUIRE(host.wait_ready());

    Sender sender(host.port());
    constexpr int notifications = 30;
    double slowest = 0;
    for (int i = 0; i < notifications; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        CHECK(sender.deliver(group_body("BadSinks", {"n" + std::to_string(i)}),
                             std::chrono::seconds(5)));
        slowest = std::max(
            slowest, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    auto lines = [&] {
        std::ifstream in(out);
        size_t n = 0;
        for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
        return n;
    };
    CHECK(test::eventually([&] { return lines() == notifications; }));
    // The thrower and the garbage sink are retried, never crash the host.
    CHECK(test::eventually([&] {
        return metric(host.port(),
                      "tickets_grouping_deliveries_total{sink=\"thrower\",result=\"retry\"}") >=
                   3 &&
               metric(host.port(),
                      "tickets_grouping_deliveries_total{sink=\"garbage\",result=\"retry\"}") >= 3;
    }));
    CHECK(host.running());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const int64_t depth = metric(host.port(), "tickets_grouping_spool_depth");
    const int64_t oldest = metric(host.port(), "tickets_grouping_spool_oldest_age_seconds");
    // Everything of the three bad sinks waits: 3 × 30 deliveries (the stuck one's first is in its
    // call).
    CHECK(depth == 3 * notifications);
    CHECK(oldest >= 2);
    const std::string log = host.log();
    CHECK(log.find("unknown status 77") != std::string::npos);
    CHECK(test::http_get(host.port(), "/healthz").status == 200);

    const auto t0 = std::chrono::steady_clock::now();
    const int status = host.terminate();
    const double stop_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report("e bad-sinks", sender.sent, sender.acknowledged, notifications, lines(), 0, seconds,
           "slowest answer " + std::to_string(slowest).substr(0, 5) + " s, spool depth " +
               std::to_string(depth) + ", oldest " + std::to_string(oldest) + " s, SIGTERM exit " +
               std::to_string(status) + " after " + std::to_string(stop_s).substr(0, 4) + " s");
    CHECK(slowest < 2.0);
    CHECK(status == 0);
    CHECK(stop_s < 20);
    CHECK(host.log().find("sink did not finish its call in time") != std::string::npos);
}
