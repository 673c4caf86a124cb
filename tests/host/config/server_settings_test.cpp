// The settings under server:, each with its WEBHOOK_* twin (server_settings.hpp), and the
// webhook's auth from the routing file or the WEBHOOK_* variables (auth_settings.hpp).
#include <catch2/catch.hpp>

#include "config/config_error.hpp"
#include "config/routing_loader.hpp"
#include "config/server_settings.hpp"

#include <filesystem>
#include <fstream>

using namespace tg::host;
using namespace std::chrono_literals;

namespace {

const std::string tail = "sinks:\n  a:\n    plugin: p\nroute:\n  sink: a\n";

RoutingConfig load(const std::string& yaml, const Environment& env = {}) {
    return load_routing_text(yaml, "routes.yaml", env);
}

std::string error_of(const std::string& yaml, const Environment& env = {}) {
    try {
        load(yaml, env);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

Environment with(std::initializer_list<std::pair<const char*, const char*>> vars) {
    Environment env;
    for (const auto& [k, v] : vars) env.set(k, v);
    return env;
}

}  // namespace

TEST_CASE("max_threads: 1 is refused at validation with a clear message, not at start",
          "[server]") {
    CHECK(error_of("server:\n  max_threads: 1\n" + tail) ==
          "routes.yaml:2: server.max_threads: 1 is out of range (2 to 10000): the HTTP server "
          "needs at least 2 threads");
    CHECK(load("server:\n  max_threads: 2\n" + tail).server.max_threads == 2);
    ServerSettings settings;
    CHECK_THROWS_WITH(apply_server_variables(with({{"WEBHOOK_MAX_THREADS", "1"}}), settings),
                      Catch::Contains("WEBHOOK_MAX_THREADS: 1 is out of range"));
}

TEST_CASE("server settings: the defaults, the routing file's keys and their WEBHOOK_* twins",
          "[server]") {
    const auto defaults = load(tail).server;
    CHECK(defaults.max_alerts == 10000);
    CHECK(defaults.max_inflight_bytes == 64u * 1024 * 1024);
    CHECK(defaults.head_timeout == 10s);
    const auto env = with({{"WEBHOOK_MAX_ALERTS", "500"},
                           {"WEBHOOK_HEAD_TIMEOUT", "3s"},
                           {"WEBHOOK_MAX_INFLIGHT_BYTES", "33554432"}});
    const auto from_env = load(tail, env).server;
    CHECK(from_env.max_alerts == 500);
    CHECK(from_env.head_timeout == 3s);
    CHECK(from_env.max_inflight_bytes == 33554432u);
    // The routing file's key wins over its twin.
    const auto both = load("server:\n  max_alerts: 20\n  head_timeout: 1s\n" + tail, env).server;
    CHECK(both.max_alerts == 20);
    CHECK(both.head_timeout == 1s);
    CHECK(both.max_inflight_bytes == 33554432u);
}

TEST_CASE("server settings: bad values name the key or the variable", "[server]") {
    CHECK(error_of("server:\n  max_alerts: 0\n" + tail) ==
          "routes.yaml:2: server.max_alerts: 0 is out of range (1 to 100000000)");
    CHECK(error_of("server:\n  head_timeout: soon\n" + tail)
              .rfind("routes.yaml:2: server.head_timeout: ", 0) == 0);
    CHECK(error_of("server:\n  max_alerts: [1]\n" + tail) ==
          "routes.yaml:2: server.max_alerts: expected an integer, got a list");
    CHECK(error_of(tail, with({{"WEBHOOK_MAX_ALERTS", "many"}})) ==
          "WEBHOOK_MAX_ALERTS: expected an integer, got \"many\"");
    CHECK(error_of(tail, with({{"WEBHOOK_HEAD_TIMEOUT", "0"}})) ==
          "WEBHOOK_HEAD_TIMEOUT: must be more than 0");
    CHECK(error_of("server:\n  max_body_bytes: 1000\n  max_inflight_bytes: 999\n" + tail) ==
          "routes.yaml:3: server.max_inflight_bytes: 999 is less than max_body_bytes (1000): a "
          "body of the largest size allowed could never be read");
    CHECK(error_of(tail, with({{"WEBHOOK_MAX_INFLIGHT_BYTES", "1000"}}))
              .rfind("WEBHOOK_MAX_INFLIGHT_BYTES: 1000 is less than max_body_bytes", 0) == 0);
}

TEST_CASE("webhook auth: the WEBHOOK_* variables apply when the routing file has no server.auth",
          "[server][auth]") {
    const auto token = load(tail, with({{"WEBHOOK_BEARER_TOKEN", "t1"}})).server.auth;
    CHECK(token.bearer_token == "t1");
    const auto file_wins = load("server:\n  auth:\n    bearer_token: t2\n" + tail,
                                with({{"WEBHOOK_BEARER_TOKEN", "t1"}}))
                               .server.auth;
    CHECK(file_wins.bearer_token == "t2");
    const auto dir = std::filesystem::temp_directory_path() / "tg-server-settings-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "pw") << "from-file\r\n";
    const auto basic = load(tail, with({{"WEBHOOK_BASIC_USERNAME", "am"},
                                        {"WEBHOOK_BASIC_PASSWORD_FILE", (dir / "pw").c_str()}}))
                           .server.auth;
    CHECK(basic.basic_username == "am");
    CHECK(basic.basic_password == "from-file");
    CHECK(error_of(tail,
                   with({{"WEBHOOK_BASIC_USERNAME", "a:m"}, {"WEBHOOK_BASIC_PASSWORD", "x"}})) ==
          "WEBHOOK_BASIC_USERNAME: must not contain ':' (basic auth)");
    // The same rules in the routing file, with its lines.
    std::ofstream(dir / "token") << "tok\n";
    CHECK(error_of("server:\n  auth:\n    bearer_token: x\n    bearer_token_file: " +
                   (dir / "token").string() + "\n" + tail) ==
          "routes.yaml:4: server.auth.bearer_token_file: give server.auth.bearer_token or "
          "server.auth.bearer_token_file, not both");
    std::filesystem::remove_all(dir);
}

TEST_CASE(
    "issue 11: the delivery limits max_crashes, probe_after and dead_letter_retention, with "
    "their WEBHOOK_* twins",
    "[server]") {
    const auto defaults = load(tail).server;
    CHECK(defaults.max_crashes == 3);
    CHECK(defaults.probe_after == 10);
    CHECK(defaults.dead_letter_retention == std::chrono::hours(24 * 30));
    const auto from_env = load(tail, with({{"WEBHOOK_MAX_CRASHES", "5"},
                                           {"WEBHOOK_PROBE_AFTER", "0"},
                                           {"WEBHOOK_DEAD_LETTER_RETENTION", "7d"}}))
                              .server;
    CHECK(from_env.max_crashes == 5);
    CHECK(from_env.probe_after == 0);
    CHECK(from_env.dead_letter_retention == std::chrono::hours(24 * 7));
    const auto from_file =
        load("server:\n  max_crashes: 1\n  probe_after: 4\n  dead_letter_retention: 12h\n" + tail)
            .server;
    CHECK(from_file.max_crashes == 1);
    CHECK(from_file.probe_after == 4);
    CHECK(from_file.dead_letter_retention == std::chrono::hours(12));
    CHECK(error_of("server:\n  max_crashes: 0\n" + tail) ==
          "routes.yaml:2: server.max_crashes: 0 is out of range (1 to 1000)");
    ServerSettings settings;
    CHECK_THROWS_WITH(
        apply_server_variables(with({{"WEBHOOK_DEAD_LETTER_RETENTION", "0s"}}), settings),
        Catch::Contains("WEBHOOK_DEAD_LETTER_RETENTION: must be more than 0"));
}
