// /metrics must not stall intake: a gauge that waits (the spool's stats behind a busy store) holds
// up its scrape only, never the counters the webhook and the dispatcher's workers update.
#include "observability/metrics.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>

using tg::host::Metrics;
using namespace std::chrono_literals;

TEST_CASE(
    "issue 11: /metrics must not stall intake: a scrape blocked in a gauge leaves counters free") {
    Metrics metrics;
    std::promise<void> entered, release;
    auto released = release.get_future().share();
    metrics.gauge("test_slow_gauge", "Waits until released.", [&, released] {
        entered.set_value();
        released.wait();
        return 7.0;
    });
    metrics.counter("test_requests_total", "Requests.").fetch_add(1);
    auto scrape = std::async(std::launch::async, [&] { return metrics.render(); });
    entered.get_future().wait();  // the scrape is inside the gauge now

    // Everything the webhook's 200 path and the workers do goes through meanwhile. (A deadlock
    // check needs a bound; the old code never gets there.)
    auto updates = std::async(std::launch::async, [&] {
        metrics.counter("test_requests_total", "Requests.").fetch_add(1);
        metrics.counter("test_other_total", "Other.", {{"sink", "a"}}).fetch_add(1);
        metrics.add("test_sink_total", "From a sink.", {{"sink", "a"}}, 2.5);
        metrics.observe("test_seconds", "Durations.", {}, 0.2);
    });
    const bool free = updates.wait_for(30s) == std::future_status::ready;
    release.set_value();
    const std::string text = scrape.get();
    REQUIRE(free);
    CHECK(text.find("test_slow_gauge 7\n") != std::string::npos);
    CHECK(text.find("test_requests_total 2\n") != std::string::npos);
    CHECK(text.find("test_other_total{sink=\"a\"} 1\n") != std::string::npos);
}

TEST_CASE("issue 14: a family of gauges (one per sink) is read at scrape time, a series each") {
    Metrics metrics;
    int scrapes = 0;
    metrics.gauges("test_queue_depth", "Per sink.", [&] {
        ++scrapes;
        return Metrics::Samples{{{{"sink", "log"}}, 0.0}, {{{"sink", "redmine"}}, 3.0}};
    });
    metrics.gauge("test_single", "One.", [] { return 1.5; }, {{"version", "x"}});
    const std::string text = metrics.render();
    INFO(text);
    CHECK(scrapes == 1);
    CHECK(text.find("# TYPE test_queue_depth gauge\n"
                    "test_queue_depth{sink=\"log\"} 0\n"
                    "test_queue_depth{sink=\"redmine\"} 3\n") != std::string::npos);
    CHECK(text.find("test_single{version=\"x\"} 1.5\n") != std::string::npos);
}
