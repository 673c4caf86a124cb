// GET /readyz: 200 while the spool takes writes and every sink's last delivery succeeded; 503
// naming the failing sink and its error otherwise; 200 again once the sink recovers.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace tg::test;

namespace {

const std::string alert_body =
    R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"},"annotations":{"description":"x"}}]})";

std::string routes(const TempDir& dir, bool bad_metrics = false) {
    return "sinks:\n"
           "  flaky:\n"
           "    plugin: " TG_OPS_TEST_PLUGIN_DIR
           "/flag_sink.so\n"
           "    config: {fail_while: " +
           dir / "fail" + (bad_metrics ? ", bad_metrics: true" : "") +
           "}\n"
           "    retry: {initial_backoff: 100ms, max_backoff: 200ms}\n"
           "  audit:\n"
           "    plugin: log_sink\n"
           "    config: {path: " +
           dir / "audit.jsonl" +
           "}\n"
           "route:\n"
           "  sink: flaky\n"
           "  routes:\n"
           "    - matchers: ['alertname = test']\n"
           "      sink: audit\n"
           "      continue: true\n"
           "    - matchers: ['alertname = test']\n"
           "      sink: flaky\n";
}

}  // namespace

TEST_CASE("readyz names a failing sink with its error, and is ready again once it recovers") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes(dir));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    INFO(host.log());

    auto ready = http_get(host.port(), "/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body.find("\"status\":\"ok\"") != std::string::npos);

    write_file(dir / "fail", "");
    REQUIRE(http_post(host.port(), "/webhook", alert_body).status == 200);
    HttpResult failing;
    REQUIRE(eventually([&] {
        failing = http_get(host.port(), "/readyz");
        return failing.status == 503;
    }));
    INFO(failing.body);
    CHECK(failing.body.find("\"status\":\"error\"") != std::string::npos);
    CHECK(failing.body.find("\"sink\":\"flaky\"") != std::string::npos);
    CHECK(failing.body.find("\"result\":\"retry\"") != std::string::npos);
    CHECK(failing.body.find("flag_sink: " + dir / "fail" + " exists") != std::string::npos);
    CHECK(failing.body.find("\"sink\":\"audit\"") ==
          std::string::npos);  // the healthy one is not named

    std::filesystem::remove(dir / "fail");
    REQUIRE(eventually([&] { return http_get(host.port(), "/readyz").status == 200; }));
    CHECK(http_get(host.port(), "/readyz").body == R"({"status":"ok"})");
    CHECK(host.terminate() == 0);
}
