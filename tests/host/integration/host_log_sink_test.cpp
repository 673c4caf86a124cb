// The host over real HTTP with the log_sink plugin loaded from a routing file.
#include "test_support.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

#include <sstream>

using namespace tg::test;

namespace {

std::string routes_for(const TempDir& dir, const std::string& extra = "") {
    return "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
           (dir / "alerts.jsonl") + "\nroute:\n  sink: logs\n" + extra;
}

}  // namespace

TEST_CASE("the operators' curl payload is answered ok and reaches log_sink") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes_for(dir));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());

    const auto answer = http_post(
        host.port(), "/webhook",
        R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"},"annotations":{"description":"test: server01"}}]})");
    CHECK(answer.status == 200);
    CHECK(answer.body == R"({"status":"ok"})");

    REQUIRE(eventually([&] { return read_json_lines(dir / "alerts.jsonl").size() == 1; }));
    auto line = read_json_lines(dir / "alerts.jsonl")[0];
    auto alert = line->getObject("alert");
    CHECK(alert->getObject("labels")->getValue<std::string>("instance") == "server01");
    CHECK(alert->getValue<std::string>("status") == "firing");
    CHECK(alert->getObject("annotations")->getValue<std::string>("description") ==
          "test: server01");
    CHECK(host.terminate() == 0);
}

TEST_CASE("a real Alertmanager body with Japanese text reaches log_sink intact") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes_for(dir));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    CHECK(http_post(host.port(), "/webhook",
                    fixture("c_firing_group_4th_alert_joins_HighCPU_server01-04.json"))
              .status == 200);
    REQUIRE(eventually([&] { return read_json_lines(dir / "alerts.jsonl").size() == 4; }));
    auto first = read_json_lines(dir / "alerts.jsonl")[0]->getObject("alert");
    CHECK(first->getObject("annotations")
              ->getValue<std::string>("description")
              .find("CPU使用率が高い") == 0);
}

TEST_CASE("a torn last line left by a crash is cut at start, whole lines are kept") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes_for(dir));
    const std::string kept = R"({"alert":{"labels":{"alertname":"Kept"}}})"
                             "\n";
    write_file(dir / "alerts.jsonl", kept + std::string(5000, 'x'));  // spans a page
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    CHECK(read_file(dir / "alerts.jsonl") == kept);
    CHECK(read_file(dir / "host.log").find("cut a torn last line (5000 bytes)") !=
          std::string::npos);

    REQUIRE(http_post(host.port(), "/webhook",
                      R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"}}]})")
                .status == 200);
    REQUIRE(eventually([&] { return read_json_lines(dir / "alerts.jsonl").size() == 2; }));
    CHECK(read_file(dir / "alerts.jsonl").rfind(kept, 0) == 0);
    CHECK(host.terminate() == 0);
}

TEST_CASE("bad requests get a clear JSON error and the right status") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes_for(dir, "server:\n  max_body_bytes: 4096\n"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    const int port = host.port();

    auto malformed = http_post(port, "/webhook", "{\"alerts\": [");
    CHECK(malformed.status == 400);
    CHECK(malformed.body.find("\"error\"") != std::string::npos);
    CHECK(http_post(port, "/webhook", R"({"alerts":"x"})").status == 422);
    CHECK(http_post(port, "/webhook", R"({"alerts":[]})").status == 422);
    CHECK(http_post(port, "/webhook", R"({"alerts":[{"labels":{"alertname":1}}]})").status == 422);
    auto big = http_post(port, "/webhook", std::string(5000, ' ') + "{}");
    CHECK(big.status == 413);
    CHECK(http_get(port, "/webhook").status == 405);
    CHECK(http_request(port, "DELETE", "/webhook").status == 405);
    CHECK(http_get(port, "/no/such/path").status == 404);
    CHECK(http_get(port, "/healthz").status == 200);
    CHECK(http_get(port, "/readyz").status == 200);
    auto metrics = http_get(port, "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("tickets_grouping_webhook_rejected_total{reason=\"malformed\"} 1") !=
          std::string::npos);
    CHECK(metrics.body.find("tickets_grouping_spool_depth") != std::string::npos);
    // Nothing refused reached the sink.
    CHECK(read_json_lines(dir / "alerts.jsonl").empty());
}

TEST_CASE("a routing file error names the file, line and key, and the host does not start") {
    TempDir dir;
    write_file(dir / "routes.yaml",
               "sinks:\n  logs:\n    plugin: log_sink\n    colour: blue\nroute:\n  sink: logs\n");
    std::string output;
    const int status =
        run_command({host_binary(), "--config", dir / "routes.yaml", "--check-config"}, output);
    CHECK(status != 0);
    CHECK(output.find("routes.yaml:4") != std::string::npos);
    CHECK(output.find("colour") != std::string::npos);
}

TEST_CASE("check-config loads the plugins and lets each sink check its configuration") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes_for(dir));
    std::string output;
    CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--state-dir", dir / "state",
                       "--check-config"},
                      output) == 0);
    CHECK(output.find("sink logs: ok") != std::string::npos);

    write_file(dir / "bad.yaml",
               "sinks:\n  logs:\n    plugin: log_sink\n    config: {}\nroute:\n  sink: logs\n");
    CHECK(run_command({host_binary(), "--config", dir / "bad.yaml", "--state-dir", dir / "state",
                       "--check-config"},
                      output) != 0);
    CHECK(output.find("'path'") != std::string::npos);
}
