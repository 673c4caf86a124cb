// Metrics from sinks through the ABI (1.1): exposed as tickets_grouping_sink_<name> with the
// sink label added; invalid names and labels dropped with one warning each; histograms in the
// Prometheus text format.
#include "observability/metrics.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace tg::test;

namespace {

size_t count_of(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("Metrics renders histograms with cumulative buckets, _sum and _count") {
    tg::host::Metrics metrics;
    CHECK(metrics.observe("x_seconds", "help", {{"sink", "a"}}, 0.003));
    CHECK(metrics.observe("x_seconds", "help", {{"sink", "a"}}, 0.3));
    CHECK(metrics.observe("x_seconds", "help", {{"sink", "a"}}, 42));
    CHECK(metrics.add("y_total", "help", {{"sink", "a"}, {"action", "created"}}, 1));
    CHECK(metrics.add("y_total", "help", {{"sink", "a"}, {"action", "created"}}, 1.5));
    CHECK_FALSE(metrics.add("x_seconds", "help", {}, 1));    // a histogram already
    CHECK_FALSE(metrics.observe("y_total", "help", {}, 1));  // a counter already
    const std::string text = metrics.render();
    INFO(text);
    CHECK(text.find("# TYPE x_seconds histogram\n") != std::string::npos);
    CHECK(text.find("x_seconds_bucket{sink=\"a\",le=\"0.005\"} 1\n") != std::string::npos);
    CHECK(text.find("x_seconds_bucket{sink=\"a\",le=\"0.25\"} 1\n") != std::string::npos);
    CHECK(text.find("x_seconds_bucket{sink=\"a\",le=\"0.5\"} 2\n") != std::string::npos);
    CHECK(text.find("x_seconds_bucket{sink=\"a\",le=\"10\"} 2\n") != std::string::npos);
    CHECK(text.find("x_seconds_bucket{sink=\"a\",le=\"+Inf\"} 3\n") != std::string::npos);
    CHECK(text.find("x_seconds_sum{sink=\"a\"} 42.303\n") != std::string::npos);
    CHECK(text.find("x_seconds_count{sink=\"a\"} 3\n") != std::string::npos);
    CHECK(text.find("# TYPE y_total counter\n") != std::string::npos);
    CHECK(text.find("y_total{sink=\"a\",action=\"created\"} 2.5\n") != std::string::npos);
    CHECK(count_of(text, "_bucket{sink=\"a\"") == 12);  // 11 bounds and +Inf
}

TEST_CASE(
    "a sink's metrics reach /metrics with its sink label, invalid ones are dropped with one "
    "warning") {
    TempDir dir;
    write_file(dir / "routes.yaml",
               "sinks:\n"
               "  flaky:\n"
               "    plugin: " TG_OPS_TEST_PLUGIN_DIR
               "/flag_sink.so\n"
               "    config: {fail_while: " +
                   dir / "fail" +
                   ", bad_metrics: true}\n"
                   "route:\n"
                   "  sink: flaky\n");
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    for (int i = 0; i < 2; ++i)
        REQUIRE(
            http_post(host.port(), "/webhook",
                      R"({"alerts":[{"labels":{"alertname":"m)" + std::to_string(i) + R"("}}]})")
                .status == 200);
    std::string text;
    REQUIRE(eventually([&] {
        text = http_get(host.port(), "/metrics").body;
        return text.find(
                   "tickets_grouping_sink_flag_deliveries_total{sink=\"flaky\",result=\"ok\"} "
                   "2\n") != std::string::npos;
    }));
    INFO(text);
    CHECK(text.find("# TYPE tickets_grouping_sink_flag_deliveries_total counter") !=
          std::string::npos);
    CHECK(text.find("# TYPE tickets_grouping_sink_flag_delivery_seconds histogram") !=
          std::string::npos);
    CHECK(
        text.find(
            "tickets_grouping_sink_flag_delivery_seconds_bucket{sink=\"flaky\",le=\"2.5\"} 0\n") !=
        std::string::npos);
    CHECK(text.find(
              "tickets_grouping_sink_flag_delivery_seconds_bucket{sink=\"flaky\",le=\"5\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("tickets_grouping_sink_flag_delivery_seconds_count{sink=\"flaky\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("bad") == std::string::npos);
    CHECK(text.find("reserved_total") == std::string::npos);
    CHECK(text.find("malformed_total") == std::string::npos);
    CHECK(text.find("evil") == std::string::npos);

    const std::string log = host.log();
    INFO(log);
    CHECK(count_of(log, "metric 'bad-name_total' dropped") == 1);
    CHECK(count_of(log, "metric 'reserved_total' dropped: label name 'sink' is not allowed") == 1);
    CHECK(count_of(log, "metric 'malformed_total' dropped") == 1);
    CHECK(count_of(log, "metric 'flag_delivery_seconds' dropped: the name is already used") == 1);
    CHECK(host.terminate() == 0);
}
