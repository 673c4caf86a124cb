// The benchmarks' no-spool ceiling (bench/ceiling): it serves the webhook like the host but keeps
// nothing, so it must never be mistaken for a host: loopback only, loud about it, and the real
// host has no way to run without its spool.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>

using namespace tg::test;

namespace {

std::string routes(const TempDir& dir) {
    const std::string path = dir / "routes.yaml";
    write_file(path, "sinks:\n  logs: {plugin: log_sink, config: {path: " + (dir / "alerts.jsonl") +
                         "}}\nroute: {sink: logs}\n");
    return path;
}

}  // namespace

TEST_CASE("bench ceiling: answers webhooks like the host and stores nothing", "[bench]") {
    TempDir dir;
    HostProcess ceiling({"--config", routes(dir)}, dir / "ceiling.log", {}, 0,
                        TG_TEST_CEILING_BINARY);
    REQUIRE(ceiling.wait_ready());
    const std::string body = fixture("a_firing_single_alert_HighCPU_server01.json");
    for (int i = 0; i < 3; ++i) CHECK(http_post(ceiling.port(), "/webhook", body).status == 200);
    CHECK(http_post(ceiling.port(), "/webhook", "{not json").status == 400);  // same parsing
    CHECK(http_get(ceiling.port(), "/readyz").status == 200);
    CHECK(ceiling.terminate() == 0);
    CHECK(ceiling.log().find("BENCHMARK ONLY, no spool") != std::string::npos);
    CHECK(ceiling.log().find("dropped 3 deliveries") != std::string::npos);
    // No spool, no sink: nothing was written anywhere.
    CHECK_FALSE(std::filesystem::exists(dir / "alerts.jsonl"));
    CHECK_FALSE(std::filesystem::exists(dir / "state"));
}

TEST_CASE("bench ceiling: refuses any address but loopback", "[bench]") {
    TempDir dir;
    std::string output;
    CHECK(run_command({TG_TEST_CEILING_BINARY, "--config", routes(dir), "--listen",
                       "0.0.0.0:" + std::to_string(free_port())},
                      output) == 2);
    CHECK(output.find("loopback only") != std::string::npos);
}

TEST_CASE("bench ceiling: the host itself has no option to run without its spool", "[bench]") {
    std::string output;
    CHECK(run_command({host_binary(), "--help"}, output) == 0);
    CHECK(output.find("no-spool") == std::string::npos);
    CHECK(run_command({host_binary(), "--no-spool"}, output) == 2);
}
