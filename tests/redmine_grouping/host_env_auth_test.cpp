// The operators' env file alone, with WEBHOOK_BEARER_TOKEN: only the post with the token makes
// a ticket in the real Redmine, and the curl of the README without a token is refused.
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

TEST_CASE(
    "no authentication in the default deployment: with WEBHOOK_BEARER_TOKEN in the env file only "
    "the authenticated post reaches Redmine") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("env-auth");
    rgtest::TempDir dir;
    const std::string env =
        rgtest::write_env_file(dir, project, "WEBHOOK_BEARER_TOKEN=env-auth-token-42\n");
    tg::test::HostProcess host({"--env-file", env, "--state-dir", (dir.path / "state").string()},
                               (dir.path / "host.log").string());
    REQUIRE(host.wait_ready());
    auto post = [&](const std::string& instance, const std::string& authorization) {
        std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
        if (!authorization.empty()) headers["Authorization"] = authorization;
        return tg::test::http_request(host.port(), "POST", "/webhook",
                                      R"({"alerts":[{"labels":{"alertname":"test","instance":")" +
                                          instance + R"("},"annotations":{"description":"test: )" +
                                          instance + R"("}}]})",
                                      headers)
            .status;
    };
    CHECK(post("forged01", "") == 401);
    CHECK(post("forged02", "Bearer guess") == 401);
    CHECK(post("server01", "Bearer env-auth-token-42") == 200);
    REQUIRE(tg::test::eventually([&] { return admin.issues(project).size() == 1; },
                                 std::chrono::seconds(60)));
    const auto issues = admin.issues(project);
    CHECK(issues.front()->getValue<std::string>("subject") == "[Alert] test (server01)");
    CHECK(host.terminate() == 0);
    CHECK(host.log().find("env-auth-token-42") == std::string::npos);
}
