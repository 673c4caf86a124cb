// Issue 11 (low), one state directory, several live instances: a sink instance owns its
// state_dir alone. A second host on a state directory in use refuses, naming the running host's
// pid; --replay and --run-hook beside a running host go through it (its sinks' instances, on
// their workers); --check-config creates its instances on a temporary directory.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace tg::test;

namespace {

std::string hello_routes(const std::string& path) {
    return "sinks:\n  hello:\n    plugin: " + std::string(TG_TEST_HELLO_SINK) +
           "\n    config:\n      path: " + path + "\nroute:\n  sink: hello\n";
}

size_t lines_with(const std::string& path, const std::string& part) {
    size_t n = 0;
    for (const auto& line : read_lines(path)) n += line.find(part) != std::string::npos;
    return n;
}

const std::string alert_body =
    R"({"alerts":[{"labels":{"alertname":"state_dir","instance":"db1"}}]})";

}  // namespace

TEST_CASE("issue 11: a second host on a state directory in use refuses, naming the pid") {
    TempDir dir;
    write_file(dir / "routes.yaml", hello_routes(dir / "hello.jsonl"));
    HostProcess first({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                      dir / "first.log");
    REQUIRE(first.wait_ready());
    HostProcess second({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                       dir / "second.log");
    CHECK(eventually([&] { return !second.running(); }, std::chrono::seconds(10)));
    INFO(second.log());
    CHECK(second.log().find("in use by a running host (pid " + std::to_string(first.pid()) + ")") !=
          std::string::npos);
    CHECK(first.running());
    CHECK(first.terminate() == 0);
}

TEST_CASE(
    "issue 11: --replay beside a running host goes through it and the alert is written once") {
    TempDir dir;
    write_file(dir / "routes.yaml", hello_routes(dir / "hello.jsonl"));
    write_file(dir / "body.json", alert_body);
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());

    std::string output;
    CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--state-dir", dir / "state",
                       "--replay", dir / "body.json"},
                      output) == 0);
    INFO(output);
    CHECK(output.find("sink hello (route route): ok") != std::string::npos);
    CHECK(host.log().find("replaying on request") != std::string::npos);
    CHECK(lines_with(dir / "hello.jsonl", "idempotency_key") == 1);

    // The same alert by webhook: the host's instance knows it was written.
    REQUIRE(http_post(host.port(), "/webhook", alert_body).status == 200);
    REQUIRE(eventually([&] { return host.log().find("msg=delivered") != std::string::npos; }));
    CHECK(lines_with(dir / "hello.jsonl", "idempotency_key") == 1);
    CHECK(host.terminate() == 0);
}

TEST_CASE("issue 11: --run-hook beside a running host goes through it") {
    TempDir dir;
    write_file(dir / "routes.yaml", hello_routes(dir / "hello.jsonl"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    std::string output;
    CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--state-dir", dir / "state",
                       "--run-hook", "hello:heartbeat"},
                      output) == 0);
    INFO(output);
    CHECK(output.find("hook hello:heartbeat: done") != std::string::npos);
    CHECK(host.log().find("running a hook on request") != std::string::npos);
    CHECK(lines_with(dir / "hello.jsonl", "heartbeat") == 1);
    CHECK(host.terminate() == 0);
}

TEST_CASE("issue 11: --check-config creates its sinks on a temporary state directory") {
    TempDir dir;
    write_file(dir / "routes.yaml", hello_routes(dir / "hello.jsonl"));
    std::string output;
    CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--state-dir", dir / "state",
                       "--check-config"},
                      output) == 0);
    INFO(output);
    CHECK(output.find("sink hello: ok") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "state/sinks/hello"));
}
