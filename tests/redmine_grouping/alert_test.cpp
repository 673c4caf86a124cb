#include "alert.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace tg::redmine;

namespace {
std::string fixture(const std::string& name) {
    std::ifstream in(std::string(TG_RG_FIXTURES) + "/" + name);
    REQUIRE(in);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST_CASE("RFC 3339 times with any offset and fraction", "[alert]") {
    auto z = parse_rfc3339("2026-11-27T07:51:27.70064839Z");
    auto plus9 = parse_rfc3339("2026-11-27T16:51:27.700648390+09:00");
    REQUIRE(z);
    CHECK(*z == *plus9);
    CHECK(z->time_since_epoch().count() % 1'000'000'000 == 700'648'390);
    CHECK(*parse_rfc3339("2026-11-27T07:51:27Z") == *parse_rfc3339("2026-11-27T02:51:27-05:00"));
    CHECK(parse_rfc3339("2026-11-27T07:51:27.1234567891Z")->time_since_epoch().count() %
              1'000'000'000 ==
          123'456'789);
    CHECK_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));  // Go's zero time: no end yet
    CHECK_THROWS_AS(parse_rfc3339("2026-11-27 07:51"), std::invalid_argument);
    CHECK_THROWS_AS(parse_rfc3339("2026-13-27T07:51:27Z"), std::invalid_argument);
    CHECK_THROWS_AS(parse_rfc3339("2026-11-27T07:51:27"), std::invalid_argument);
}

TEST_CASE("a real Alertmanager notification", "[alert]") {
    auto n = decode_notification(fixture("d_mixed_one_resolved_three_firing_HighCPU.json"));
    CHECK(n.external_url == "http://vm:19093");
    REQUIRE(n.alerts.size() == 4);
    CHECK(n.alerts[0].firing);
    CHECK_FALSE(n.alerts[1].firing);
    CHECK(n.alerts[1].instance() == "server02");
    CHECK(n.alerts[1].ends_at);
    CHECK_FALSE(n.alerts[0].ends_at);
    CHECK(n.alerts[0].annotations[0].first == "description");
    CHECK(n.alerts[0].annotations[1].first == "summary");
    CHECK(n.alerts[0].fingerprint == "1a2bd5b0173813a0");
}

TEST_CASE("the same episode is recognised across resends", "[alert]") {
    auto c =
        decode_notification(fixture("c_firing_group_4th_alert_joins_HighCPU_server01-04.json"));
    auto e = decode_notification(fixture("e_repeat_after_repeat_interval_HighCPU_unchanged.json"));
    CHECK(c.alerts[0].episode_start() == e.alerts[0].episode_start());
    CHECK(c.alerts[0].episode_start() != c.alerts[1].episode_start());
}

TEST_CASE("a hand-written payload", "[alert]") {
    auto n = decode_notification(
        R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"},"annotations":{"description":"test: server01"}}]})");
    REQUIRE(n.alerts.size() == 1);
    const Alert& a = n.alerts[0];
    CHECK(a.firing);
    CHECK(a.alertname() == "test");
    CHECK(a.instance() == "server01");
    CHECK_FALSE(a.starts_at);
    CHECK(a.episode_start().empty());
    CHECK(n.external_url.empty());
}

TEST_CASE("bad notifications", "[alert]") {
    CHECK_THROWS_AS(decode_notification("not json"), std::invalid_argument);
    CHECK_THROWS_AS(decode_notification("[]"), std::invalid_argument);
    CHECK_THROWS_AS(decode_notification(R"({"status":"firing"})"), std::invalid_argument);
    // One unreadable alert does not hide the others.
    auto n = decode_notification(
        R"({"alerts":[{"labels":{"instance":"x"}},{"labels":{"alertname":"ok"}},"text"]})");
    CHECK(n.alerts.size() == 1);
    REQUIRE(n.rejected.size() == 2);
    CHECK(n.rejected[0] == "alert 0: no alertname label");
    CHECK(n.size() == 3);
    CHECK(decode_notification(R"({"alerts":[{"labels":{"alertname":"x"},"startsAt":"yesterday"}]})")
              .rejected.size() == 1);
}
