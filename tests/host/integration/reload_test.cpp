// SIGHUP and POST /-/reload swap routes and sinks; a bad file is refused and the running
// configuration stays.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace tg::test;

namespace {

std::string routes_to(const std::string& sink, const std::string& path) {
    return "sinks:\n  " + sink + ":\n    plugin: log_sink\n    config:\n      path: " + path +
           "\nroute:\n  sink: " + sink + "\n";
}

// A different body each time: an identical one posted while the previous delivery is still
// pending would rightly be folded into it.
std::string next_body() {
    static int n = 0;
    return R"({"alerts":[{"labels":{"alertname":"test","instance":"server)" + std::to_string(++n) +
           R"("}}]})";
}

}  // namespace

TEST_CASE(
    "SIGHUP and POST /-/reload swap the routes, a bad file is refused and the old one stays") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes_to("first", dir / "first.jsonl"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    REQUIRE(http_post(host.port(), "/webhook", next_body()).status == 200);
    REQUIRE(eventually([&] { return read_lines(dir / "first.jsonl").size() == 1; }));

    write_file(dir / "routes.yaml", routes_to("second", dir / "second.jsonl"));
    host.send_signal(SIGHUP);
    REQUIRE(
        eventually([&] { return host.log().find("configuration reloaded") != std::string::npos; }));
    REQUIRE(http_post(host.port(), "/webhook", next_body()).status == 200);
    REQUIRE(eventually([&] { return read_lines(dir / "second.jsonl").size() == 1; }));
    CHECK(read_lines(dir / "first.jsonl").size() == 1);

    write_file(dir / "routes.yaml",
               "sinks:\n  third:\n    plugin: log_sink\nroute:\n  sink: nowhere\n");
    const auto refused = http_post(host.port(), "/-/reload", "");
    CHECK(refused.status == 400);
    CHECK(refused.body.find("nowhere") != std::string::npos);
    REQUIRE(http_post(host.port(), "/webhook", next_body()).status == 200);
    REQUIRE(eventually([&] { return read_lines(dir / "second.jsonl").size() == 2; }));

    write_file(dir / "routes.yaml", routes_to("first", dir / "first.jsonl"));
    CHECK(http_post(host.port(), "/-/reload", "").status == 200);
    REQUIRE(http_post(host.port(), "/webhook", next_body()).status == 200);
    REQUIRE(eventually([&] { return read_lines(dir / "first.jsonl").size() == 2; }));
    CHECK(http_get(host.port(), "/metrics")
              .body.find(R"(tickets_grouping_reloads_total{result="failed"} 1)") !=
          std::string::npos);
    CHECK(host.terminate() == 0);
}
