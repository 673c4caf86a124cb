// Alertmanager's API as reconcile reads it: the answer of GET /api/v2/alerts, each peer of an HA
// pair asked with the credentials of alertmanager_* (secrets from files), the answers merged.
// A loopback server stands in for Alertmanager here; the real one is in
// tests/redmine_grouping/host_reconcile_test.cpp.
#include "alertmanager_client.hpp"
#include "fake_redmine.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace tg::redmine;
using Catch::Matchers::Contains;

TEST_CASE("Alertmanager's /api/v2/alerts is read: states, and garbage refused",
          "[reconcile][alertmanager]") {
    const auto alerts = AlertmanagerClient::parse_alerts(R"([
      {"labels":{"alertname":"ディスク","instance":"サーバー1"},"annotations":{"description":"残り 5%"},
       "startsAt":"2026-12-03T09:00:00.123Z","endsAt":"2026-12-03T09:05:00.123Z",
       "fingerprint":"a1","generatorURL":"http://prom/graph","updatedAt":"2026-12-03T09:01:00Z",
       "receivers":[{"name":"tg"}],"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}},
      {"labels":{"alertname":"HighCPU","instance":"web1"},"annotations":{},
       "startsAt":"2026-12-03T09:00:00Z","endsAt":"2026-12-03T09:05:00Z","fingerprint":"b2",
       "receivers":[],"status":{"state":"suppressed","silencedBy":["s1"],"inhibitedBy":[]}},
      {"labels":{"job":"node"},"annotations":{},"startsAt":"2026-12-03T09:00:00Z",
       "fingerprint":"c3","status":{"state":"active"}}
    ])");
    REQUIRE(alerts.size() == 2);  // the one without an alertname is skipped
    CHECK(alerts[0].alert.alertname() == "ディスク");
    CHECK(alerts[0].alert.annotation("description") == "残り 5%");
    CHECK(alerts[0].alert.firing);
    CHECK_FALSE(alerts[0].alert.ends_at);
    CHECK_FALSE(alerts[0].suppressed);
    CHECK(alerts[1].suppressed);
    for (const char* garbage : {"", "{}", "[1]", R"([{"labels":{"alertname":"x"}}])",
                                "<html>502 Bad Gateway</html>", R"({"alerts":[]})"}) {
        INFO(garbage);
        CHECK_THROWS_AS(AlertmanagerClient::parse_alerts(garbage), std::invalid_argument);
    }
}

namespace {

const char* const kListed = R"([
  {"labels":{"alertname":"HighCPU","instance":"web1"},"annotations":{},
   "startsAt":"2026-12-03T09:00:00.000Z","endsAt":"2026-12-03T09:05:00.000Z","fingerprint":"a1",
   "status":{"state":"active","silencedBy":[],"inhibitedBy":[]}},
  {"labels":{"alertname":"HighCPU","instance":"web2"},"annotations":{},
   "startsAt":"2026-12-03T09:00:00.000Z","endsAt":"2026-12-03T09:05:00.000Z","fingerprint":"b2",
   "status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}
])";

struct SecretFile {
    std::string path =
        (std::filesystem::temp_directory_path() / ("tg-am-secret-" + std::to_string(::getpid())))
            .string();
    explicit SecretFile(const std::string& content) { std::ofstream(path) << content << "\n"; }
    ~SecretFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("each Alertmanager peer is asked with the bearer token read from its file",
          "[reconcile][alertmanager]") {
    rgtest::FakeRedmine am;
    am.answer("GET", "/api/v2/alerts", {200, kListed});
    SecretFile token("s3cret-token");
    AlertmanagerAccess access;
    access.urls = {am.url()};
    access.bearer_token_file = token.path;
    AlertmanagerClient client(access, std::chrono::seconds(5));
    const auto answer = client.list_alerts();
    CHECK(answer.answered == 1);
    CHECK(answer.failures.empty());
    CHECK(answer.alerts.size() == 2);
    REQUIRE(am.requests().size() == 1);
    CHECK(am.requests()[0].authorization == "Bearer s3cret-token");
    CHECK_THAT(am.requests()[0].uri, Contains("/api/v2/alerts?") && Contains("silenced=true"));
    std::ofstream(token.path) << "rotated\n";  // read again at each run
    client.list_alerts();
    CHECK(am.requests().back().authorization == "Bearer rotated");
}

TEST_CASE("basic auth from a password file", "[reconcile][alertmanager]") {
    rgtest::FakeRedmine am;
    am.answer("GET", "/api/v2/alerts", {200, "[]"});
    SecretFile password("pa:ss");
    AlertmanagerAccess access;
    access.urls = {am.url()};
    access.basic_username = "router";
    access.basic_password_file = password.path;
    AlertmanagerClient(access, std::chrono::seconds(5)).list_alerts();
    REQUIRE(am.requests().size() == 1);
    CHECK(am.requests()[0].authorization == "Basic cm91dGVyOnBhOnNz");  // router:pa:ss
}

TEST_CASE("an HA pair: one peer down or answering garbage, the other's list is used",
          "[reconcile][alertmanager]") {
    rgtest::FakeRedmine up, garbage;
    up.answer("GET", "/api/v2/alerts", {200, kListed});
    garbage.answer("GET", "/api/v2/alerts", {200, "<html>gateway</html>", "text/html"});
    AlertmanagerAccess access;
    access.urls = {"http://127.0.0.1:1", garbage.url(), up.url()};
    const auto answer = AlertmanagerClient(access, std::chrono::seconds(5)).list_alerts();
    CHECK(answer.answered == 1);
    REQUIRE(answer.failures.size() == 2);
    CHECK_THAT(answer.failures[0], Contains("http://127.0.0.1:1: "));
    CHECK_THAT(answer.failures[1], Contains("not JSON"));
    CHECK(answer.alerts.size() == 2);
}

TEST_CASE("an HA pair's answers are merged, and a silence one peer has is kept",
          "[reconcile][alertmanager]") {
    rgtest::FakeRedmine a, b;
    a.answer("GET", "/api/v2/alerts", {200, kListed});
    std::string silenced = kListed;
    silenced.replace(silenced.find(R"("state":"active")"), 16, R"("state":"suppressed")");
    b.answer("GET", "/api/v2/alerts", {200, silenced});
    AlertmanagerAccess access;
    access.urls = {a.url(), b.url()};
    const auto answer = AlertmanagerClient(access, std::chrono::seconds(5)).list_alerts();
    CHECK(answer.answered == 2);
    REQUIRE(answer.alerts.size() == 2);
    CHECK(answer.alerts[0].suppressed);  // web1: silenced on b, not yet gossiped to a
    CHECK_FALSE(answer.alerts[1].suppressed);
}

TEST_CASE("an error answer is a failure naming its status, never the credential",
          "[reconcile][alertmanager]") {
    rgtest::FakeRedmine am;
    am.answer("GET", "/api/v2/alerts", {401, "unauthorized", "text/plain"});
    SecretFile token("never-logged");
    AlertmanagerAccess access;
    access.urls = {am.url()};
    access.bearer_token_file = token.path;
    const auto answer = AlertmanagerClient(access, std::chrono::seconds(5)).list_alerts();
    CHECK(answer.answered == 0);
    REQUIRE(answer.failures.size() == 1);
    CHECK_THAT(answer.failures[0], Contains("HTTP 401") && !Contains("never-logged"));
}
