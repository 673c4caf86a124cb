// tickets_grouping/notification.hpp: RFC 3339 times as Alertmanager writes them, every captured
// webhook body read into typed values, and the errors a malformed notification gets.
#include <tickets_grouping/notification.hpp>

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>

using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

tg::Time at(sys_days day, microseconds in_day = 0us) {
    return tg::Time{duration_cast<microseconds>(day.time_since_epoch()) + in_day};
}

}  // namespace

TEST_CASE("parse_time reads RFC 3339 as Alertmanager writes it") {
    CHECK(tg::parse_time("1970-01-01T00:00:00Z").time_since_epoch() == 0us);
    CHECK(tg::parse_time("2026-11-27T07:51:43.730898595Z") ==
          at(sys_days{year{2026} / 11 / 27}, 7h + 51min + 43s + 730898us));  // ns cut to µs
    CHECK(tg::parse_time("2024-02-29T12:00:00+09:00") == at(sys_days{year{2024} / 2 / 29}, 3h));
    CHECK(tg::parse_time("2024-03-01t00:30:00.5-01:30") ==
          at(sys_days{year{2024} / 3 / 1}, 2h + 500ms));
    CHECK(tg::parse_time("2024-03-01 00:00:00.1z") == at(sys_days{year{2024} / 3 / 1}, 100ms));
    CHECK(tg::parse_time("2016-12-31T23:59:60Z") == at(sys_days{year{2017} / 1 / 1}));  // leap s
    // Go's zero time, what Alertmanager sends as the endsAt of a firing alert.
    CHECK(tg::parse_time("0001-01-01T00:00:00Z") == tg::zero_time);
    CHECK(tg::zero_time == at(sys_days{year{1} / 1 / 1}));

    for (const char* bad :
         {"", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
          "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
          "2024-01-01T00:00:00.Z", "2024-1-01T00:00:00Z", "2024-01-01T00:00:00+0900",
          "2024-01-01T00:00:00Z ", "2024-01-01T00:00:00+24:00", "２０２４-01-01T00:00:00Z"}) {
        INFO(bad);
        CHECK_THROWS_AS(tg::parse_time(bad), std::invalid_argument);
    }
    CHECK_THROWS_WITH(tg::parse_time("yesterday"), "invalid RFC 3339 time \"yesterday\"");
}

TEST_CASE("format_time writes UTC and agrees with the standard library's calendar") {
    CHECK(tg::format_time(tg::zero_time) == "0001-01-01T00:00:00Z");
    CHECK(tg::format_time(tg::parse_time("2024-05-01T09:30:00.250+09:00")) ==
          "2024-05-01T00:30:00.25Z");
    CHECK(tg::format_time(tg::parse_time("2026-11-27T07:51:43.730898595Z")) ==
          "2026-11-27T07:51:43.730898Z");
    CHECK(tg::format_time(tg::parse_time("1969-12-31T23:59:59.999999Z")) ==
          "1969-12-31T23:59:59.999999Z");
    // Every 97th day from year 1 to 9999: the hand-written calendar (the SDK is C++17) against
    // C++20's.
    for (int64_t day = sys_days{year{1} / 1 / 1}.time_since_epoch().count();
         day < sys_days{year{9999} / 12 / 31}.time_since_epoch().count(); day += 97) {
        const year_month_day ymd{sys_days{days{day}}};
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02u-%02uT00:00:01Z", int(ymd.year()),
                      unsigned(ymd.month()), unsigned(ymd.day()));
        const tg::Time time = at(sys_days{days{day}}, 1s);
        if (tg::format_time(time) != text || tg::parse_time(text) != time) {
            FAIL(text << " " << tg::format_time(time));
        }
    }
}

TEST_CASE("every captured Alertmanager body reads into typed values") {
    int bodies = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(TG_TEST_SOURCE_DIR) +
                                                                 "/fixtures/alertmanager")) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".json" || name.rfind("request_headers", 0) == 0) continue;
        INFO(name);
        const tg::Notification n = tg::parse_notification(tg::test::read_file(entry.path()));
        ++bodies;
        CHECK(n.version == "4");
        CHECK((n.status == "firing" || n.status == "resolved"));
        CHECK_FALSE(n.receiver.empty());
        CHECK(n.group_key.find("{}") == 0);
        CHECK(n.external_url.find("http://") == 0);
        CHECK_FALSE(n.group_labels.empty());
        REQUIRE_FALSE(n.alerts.empty());
        for (const tg::Alert& alert : n.alerts) {
            CHECK((alert.firing() || alert.resolved()));
            CHECK_FALSE(alert.label("alertname").empty());
            CHECK(alert.fingerprint.size() == 16);
            CHECK(alert.starts_at > tg::parse_time("2020-01-01T00:00:00Z"));
            if (alert.firing()) CHECK(alert.ends_at == tg::zero_time);
            if (alert.resolved()) CHECK(alert.ends_at > alert.starts_at);
            for (const auto& [key, value] : n.common_labels) CHECK(alert.label(key) == value);
        }
    }
    CHECK(bodies >= 12);

    const auto truncated =
        tg::parse_notification(tg::test::fixture("f_max_alerts_2_truncatedAlerts_3.json"));
    CHECK(truncated.truncated_alerts == 3);
    CHECK(truncated.alerts.size() == 2);
    CHECK(truncated.receiver == "redmine-max2");
    CHECK(truncated.group_key == "{}/{team=\"batch\"}:{alertname=\"BatchJobFailed\"}");
    CHECK(truncated.common_labels.at("team") == "batch");
    CHECK(truncated.common_annotations.empty());
    CHECK(truncated.alerts[1].fingerprint == "529b63dbf24ed077");
    CHECK(tg::format_time(truncated.alerts[0].starts_at) == "2026-11-27T07:51:43.730898Z");

    const auto japanese =
        tg::parse_notification(tg::test::fixture("a_firing_single_alert_HighCPU_server01.json"));
    CHECK(japanese.alerts[0].annotation("description").find("CPU使用率が高い") == 0);
    CHECK(japanese.alerts[0].label("instance") == "server01");
    CHECK(japanese.alerts[0].label("no such label").empty());
    CHECK_FALSE(japanese.alerts[0].generator_url.empty());
}

TEST_CASE("the hand-written curl payload reads with defaults") {
    const auto n =
        tg::parse_notification(R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"},)"
                               R"("annotations":{"description":"test: server01"}}]})");
    REQUIRE(n.alerts.size() == 1);
    CHECK(n.status.empty());
    CHECK(n.truncated_alerts == 0);
    CHECK(n.alerts[0].status == "firing");  // as the host fills it in
    CHECK(n.alerts[0].starts_at == tg::zero_time);
    CHECK(n.alerts[0].ends_at == tg::zero_time);
    CHECK(n.alerts[0].fingerprint.empty());  // the real host computes it
    CHECK(n.alerts[0].annotation("description") == "test: server01");

    // An alert without status takes the group's.
    CHECK(tg::parse_notification(R"({"status":"resolved","alerts":[{"labels":{"a":"b"}}]})")
              .alerts[0]
              .status == "resolved");
}

TEST_CASE("a notification that does not read is a tg::Drop naming the field") {
    auto message_of = [](const std::string& text) {
        try {
            tg::parse_notification(text);
        } catch (const tg::Drop& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message_of("{") == "notification: malformed JSON");
    CHECK(message_of("[]") == "notification: body must be a JSON object");
    CHECK(message_of("{}") == "notification: alerts must be an array");
    CHECK(message_of(R"({"alerts":[1]})") == "notification: alerts[0] must be an object");
    CHECK(message_of(R"({"alerts":[{"labels":{"a":"b"}},{"labels":{"a":1}}]})") ==
          "notification: alerts[1].labels.a must be a string");
    CHECK(message_of(R"({"alerts":[{"labels":{"a":"b"},"startsAt":"now"}]})") ==
          "notification: alerts[0].startsAt invalid RFC 3339 time \"now\"");
    CHECK(message_of(R"({"receiver":5,"alerts":[]})") == "notification: receiver must be a string");
    CHECK(message_of(R"({"truncatedAlerts":"3","alerts":[]})") ==
          "notification: truncatedAlerts must be an integer");
    CHECK(message_of(R"({"commonLabels":[],"alerts":[]})") ==
          "notification: commonLabels must be an object of strings");
}

TEST_CASE("typed values write back to the JSON they were read from") {
    const std::string text = tg::test::fixture("d_mixed_one_resolved_three_firing_HighCPU.json");
    const tg::Notification read = tg::parse_notification(text);
    const nlohmann::json written = read;
    const tg::Notification again = written.get<tg::Notification>();
    CHECK(nlohmann::json(again) == written);
    const auto original = nlohmann::json::parse(text);
    for (const char* key : {"receiver", "status", "groupKey", "externalURL", "version",
                            "groupLabels", "commonLabels", "commonAnnotations"})
        CHECK(written[key] == original[key]);
    for (size_t i = 0; i < original["alerts"].size(); ++i) {
        const auto& alert = original["alerts"][i];
        for (const char* key : {"status", "labels", "annotations", "generatorURL", "fingerprint"})
            CHECK(written["alerts"][i][key] == alert[key]);
        // The times, to the microsecond.
        CHECK(tg::parse_time(written["alerts"][i]["startsAt"].get<std::string>()) ==
              tg::parse_time(alert["startsAt"].get<std::string>()));
        CHECK(tg::parse_time(written["alerts"][i]["endsAt"].get<std::string>()) ==
              tg::parse_time(alert["endsAt"].get<std::string>()));
    }
}
