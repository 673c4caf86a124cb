// The default deployment (the env file alone, no routing file, listening on 0.0.0.0) with the
// webhook's auth from WEBHOOK_* variables; reload and failure details for privileged requests
// only (the webhook's credentials, or loopback when no auth is configured). The Redmine URL
// points nowhere: these tests are about who may ask, not about tickets.
#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace tg::test;

namespace {

const std::string body = R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"}}]})";

HttpResult post(int port, const std::string& path, const std::string& authorization = "") {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!authorization.empty()) headers["Authorization"] = authorization;
    return http_request(port, "POST", path, path == "/webhook" ? body : "", headers);
}

// A sink that failed: the Redmine URL answers nothing, so the delivery is retried.
bool sink_failing(int port, const std::string& authorization = "") {
    std::map<std::string, std::string> headers;
    if (!authorization.empty()) headers["Authorization"] = authorization;
    return http_request(port, "GET", "/readyz", "", headers).status == 503;
}

}  // namespace

TEST_CASE(
    "no authentication in the default deployment: WEBHOOK_BEARER_TOKEN from the env file is "
    "required on /webhook and /-/reload, and never logged") {
    TempDir dir;
    const std::string token = "env-file-bearer-0815";
    HostProcess host({"--env-file", offline_env_file(dir, "WEBHOOK_BEARER_TOKEN=" + token + "\n"),
                      "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    CHECK(post(host.port(), "/webhook").status == 401);
    CHECK(post(host.port(), "/webhook", "Bearer wrong").status == 401);
    CHECK(post(host.port(), "/webhook", "Bearer " + token).status == 200);
    CHECK(post(host.port(), "/-/reload").status == 401);  // loopback, but no credentials
    CHECK(post(host.port(), "/-/reload", "Bearer " + token).status == 200);
    CHECK(http_get(host.port(), "/healthz").status == 200);
    // Details of the failing sink (its request paths) for the credentials only.
    REQUIRE(eventually([&] { return sink_failing(host.port()); }));
    const auto summary = http_get(host.port(), "/readyz");
    CHECK(summary.body.find("\"sink\":\"redmine\"") != std::string::npos);
    CHECK(summary.body.find("/issues.json") == std::string::npos);
    const auto detail =
        http_request(host.port(), "GET", "/readyz", "", {{"Authorization", "Bearer " + token}});
    CHECK(detail.body.find("/issues.json") != std::string::npos);
    CHECK(host.terminate() == 0);
    CHECK(host.log().find(token) == std::string::npos);
    CHECK(host.log().find("without authentication") == std::string::npos);
}

TEST_CASE(
    "no authentication in the default deployment: WEBHOOK_BASIC_USERNAME and "
    "WEBHOOK_BASIC_PASSWORD_FILE from the environment") {
    TempDir dir;
    write_file(dir / "password", "basic-pa55-from-file\n");
    HostProcess host(
        {"--env-file", offline_env_file(dir, ""), "--state-dir", dir / "state"}, dir / "host.log",
        {{"WEBHOOK_BASIC_USERNAME", "am"}, {"WEBHOOK_BASIC_PASSWORD_FILE", dir / "password"}});
    REQUIRE(host.wait_ready());
    CHECK(post(host.port(), "/webhook").status == 401);
    // base64("am:basic-pa55-from-file"), base64("am:wrong")
    CHECK(post(host.port(), "/webhook", "Basic YW06YmFzaWMtcGE1NS1mcm9tLWZpbGU=").status == 200);
    CHECK(post(host.port(), "/webhook", "Basic YW06d3Jvbmc=").status == 401);
    CHECK(post(host.port(), "/-/reload", "Basic YW06YmFzaWMtcGE1NS1mcm9tLWZpbGU=").status == 200);
    CHECK(host.terminate() == 0);
    CHECK(host.log().find("basic-pa55") == std::string::npos);
}

TEST_CASE(
    "no authentication in the default deployment: WEBHOOK_* auth that cannot work stops the "
    "start naming the variable, never the secret") {
    TempDir dir;
    struct Case {
        std::string env;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"WEBHOOK_BEARER_TOKEN=t0ken-a\nWEBHOOK_BASIC_USERNAME=am\nWEBHOOK_BASIC_PASSWORD=pw-b\n",
         "WEBHOOK_BEARER_TOKEN: choose a bearer token or basic auth, not both"},
        {"WEBHOOK_BEARER_TOKEN=t0ken-a\nWEBHOOK_BEARER_TOKEN_FILE=" + (dir / "token") + "\n",
         "WEBHOOK_BEARER_TOKEN_FILE: give WEBHOOK_BEARER_TOKEN or WEBHOOK_BEARER_TOKEN_FILE, not "
         "both"},
        {"WEBHOOK_BASIC_USERNAME=am\nWEBHOOK_BASIC_PASSWORD=pw-b\nWEBHOOK_BASIC_PASSWORD_FILE=" +
             (dir / "password") + "\n",
         "WEBHOOK_BASIC_PASSWORD_FILE: give WEBHOOK_BASIC_PASSWORD or WEBHOOK_BASIC_PASSWORD_FILE, "
         "not both"},
        {"WEBHOOK_BEARER_TOKEN_FILE=" + (dir / "missing-token") + "\n",
         "WEBHOOK_BEARER_TOKEN_FILE: cannot read \"" + (dir / "missing-token") + "\""},
        {"WEBHOOK_BASIC_PASSWORD=pw-b\n", "WEBHOOK_BASIC_PASSWORD: basic auth needs a username"},
        {"WEBHOOK_BASIC_USERNAME=am\n", "WEBHOOK_BASIC_USERNAME: basic auth needs a password"},
        {"WEBHOOK_BEARER_TOKEN=\n", "WEBHOOK_BEARER_TOKEN: must not be empty"},
    };
    write_file(dir / "token", "t0ken-from-file\n");
    write_file(dir / "password", "pw-from-file\n");
    for (const auto& c : cases) {
        std::string output;
        // `timeout`: a host that took the settings would serve until stopped.
        const int status = run_command(
            {"timeout", "20", host_binary(), "--env-file", offline_env_file(dir, c.env),
             "--state-dir", dir / "state", "--listen", "127.0.0.1:" + std::to_string(free_port())},
            output);
        INFO(c.env << "->\n" << output);
        CHECK(status == 1);
        CHECK(output.find(c.expected) != std::string::npos);
        for (const char* secret : {"t0ken-a", "pw-b", "t0ken-from-file", "pw-from-file"})
            CHECK(output.find(secret) == std::string::npos);
    }
}

TEST_CASE(
    "no authentication in the default deployment: listening beyond loopback without auth warns "
    "at start and on /readyz, still serves, and reload answers loopback only") {
    TempDir dir;
    HostProcess host({"--env-file", offline_env_file(dir, ""), "--state-dir", dir / "state"},
                     dir / "host.log", {}, 0, "", "0.0.0.0");
    REQUIRE(host.wait_ready());
    CHECK(host.log().find("without authentication") != std::string::npos);
    CHECK(post(host.port(), "/webhook").status == 200);  // today's set-up keeps working
    REQUIRE(eventually([&] { return sink_failing(host.port()); }));
    const auto local = http_get(host.port(), "/readyz");
    CHECK(local.body.find("without authentication") != std::string::npos);
    CHECK(local.body.find("/issues.json") != std::string::npos);  // loopback: the details
    CHECK(post(host.port(), "/-/reload").status == 200);

    const std::string address = non_loopback_address();
    if (address.empty()) {
        WARN("no non-loopback address on this machine: the remote half is not checked");
        return;
    }
    INFO("remote client from " << address);
    CHECK(http_request_at(address, host.port(), "GET", "/healthz").status == 200);
    const auto remote = http_request_at(address, host.port(), "GET", "/readyz");
    CHECK(remote.status == 503);
    CHECK(remote.body.find("\"sink\":\"redmine\"") != std::string::npos);
    CHECK(remote.body.find("without authentication") != std::string::npos);
    CHECK(remote.body.find("/issues.json") == std::string::npos);  // summary only
    CHECK(remote.body.find("127.0.0.1:9") == std::string::npos);
    const auto reload = http_request_at(address, host.port(), "POST", "/-/reload", "",
                                        {{"Content-Type", "application/json"}});
    CHECK(reload.status == 403);
    CHECK(reload.body.find("loopback") != std::string::npos);
    CHECK(http_request_at(address, host.port(), "POST", "/webhook", body,
                          {{"Content-Type", "application/json"}})
              .status == 200);
    CHECK(host.terminate() == 0);
}
