// GET / on a running host: with the webhook's auth configured, 401 without its credentials (from
// loopback too) and the page with them; without auth, the page for a loopback client. The Redmine
// URL points nowhere: this is about who may look.
#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace tg::test;

TEST_CASE("issue 14: the status page needs the webhook's credentials when auth is configured") {
    TempDir dir;
    const std::string token = "status-page-bearer-4711";
    HostProcess host({"--env-file", offline_env_file(dir, "WEBHOOK_BEARER_TOKEN=" + token + "\n"),
                      "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    const auto refused = http_get(host.port(), "/");
    CHECK(refused.status == 401);
    CHECK(refused.body.find("status page") != std::string::npos);
    CHECK(http_request(host.port(), "GET", "/", "", {{"Authorization", "Bearer wrong"}}).status ==
          401);
    const auto page =
        http_request(host.port(), "GET", "/", "",
                     {{"Authorization", "Bearer " + token}, {"Accept-Language", "ja,en;q=0.5"}});
    CHECK(page.status == 200);
    CHECK(page.body.find("<html lang=\"ja\">") != std::string::npos);
    CHECK(page.body.find("有効: bearer") != std::string::npos);
    CHECK(page.body.find(token) == std::string::npos);
    CHECK(
        http_request(host.port(), "POST", "/", "", {{"Authorization", "Bearer " + token}}).status ==
        405);
    CHECK(host.terminate() == 0);
}

TEST_CASE("issue 14: without auth the status page is served to a loopback client") {
    TempDir dir;
    HostProcess host({"--env-file", offline_env_file(dir, ""), "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    const auto page = http_get(host.port(), "/");
    CHECK(page.status == 200);
    CHECK(page.body.find("<html lang=\"en\">") != std::string::npos);
    CHECK(page.body.find("redmine") != std::string::npos);
    CHECK(page.body.find("off: this page") != std::string::npos);
    CHECK(host.terminate() == 0);
}
