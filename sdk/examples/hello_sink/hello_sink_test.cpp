// hello_sink's unit test: the sink's own source, linked into this test, driven through the SDK's
// fake host (no tickets-grouping running). Build it with the example: ctest --test-dir <build>.
#include <tickets_grouping/testing.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace {

// What an operator posts with curl to try the webhook.
const std::string hand_written =
    R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"},)"
    R"("annotations":{"description":"test: server01"}}]})";

std::vector<nlohmann::json> lines_of(const std::string& path) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

std::string config_for(const std::string& path) { return nlohmann::json{{"path", path}}.dump(); }

}  // namespace

TEST_CASE("hello_sink refuses a config without path or with an unknown key") {
    tg::testing::FakeHost host;
    auto missing = host.create(tg_sink_entry(), "{}");
    CHECK(missing.created() == TG_DROP);
    CHECK(missing.created().error == "hello_sink: config key 'path' is required (a string)");
    auto typo = host.create(tg_sink_entry(), R"({"path": "/tmp/x", "file": "y"})");
    CHECK(typo.created() == TG_DROP);
    CHECK(typo.created().error == "hello_sink: unknown config key 'file' (known: path)");
    auto wrong_type = host.create(tg_sink_entry(), R"({"path": 200})");
    CHECK(wrong_type.created().error ==
          "hello_sink: config key 'path' must be a string, got the number 200");
}

TEST_CASE("hello_sink appends a notification once per key, and nothing in a dry run") {
    tg::testing::FakeHost host;
    const std::string path = host.state_dir() + "/alerts.jsonl";
    auto sink = host.create(tg_sink_entry(), config_for(path));
    REQUIRE(sink.created() == TG_OK);

    CHECK(sink.deliver(hand_written, tg::testing::dry_run()) == TG_OK);
    CHECK(host.logged("dry run: would append one line to " + path));
    CHECK(lines_of(path).empty());

    CHECK(sink.deliver(hand_written) == TG_OK);
    CHECK(sink.deliver(hand_written) == TG_OK);  // the same content, the same key: written once
    CHECK(host.logged("already written: "));
    auto lines = lines_of(path);
    REQUIRE(lines.size() == 1);
    const auto notification = lines[0]["notification"].get<tg::Notification>();
    REQUIRE(notification.alerts.size() == 1);
    CHECK(notification.alerts[0].label("alertname") == "test");
    CHECK(notification.alerts[0].annotation("description") == "test: server01");
    CHECK(notification.alerts[0].status == "firing");
    CHECK(lines[0]["route"] == "route");

    // A notification built with the typed values; a new instance reads the keys already written.
    sink.destroy();
    auto again = host.create(tg_sink_entry(), config_for(path));
    CHECK(again.deliver(hand_written) == TG_OK);
    tg::Notification resolved;
    resolved.status = "resolved";
    tg::Alert alert;
    alert.status = "resolved";
    alert.labels = {{"alertname", "ディスク容量"}, {"instance", "db01"}};
    alert.ends_at = tg::parse_time("2024-05-01T09:30:00.25+09:00");
    resolved.alerts.push_back(alert);
    CHECK(again.deliver(resolved) == TG_OK);
    lines = lines_of(path);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1]["notification"]["alerts"][0]["labels"]["alertname"] == "ディスク容量");
    CHECK(lines[1]["notification"]["alerts"][0]["endsAt"] == "2024-05-01T00:30:00.25Z");
}

TEST_CASE("hello_sink's heartbeat hook, and a write error asks for a retry") {
    tg::testing::FakeHost host;
    const std::string path = host.state_dir() + "/alerts.jsonl";
    auto sink = host.create(tg_sink_entry(), config_for(path));
    REQUIRE(sink.hooks().size() == 1);
    CHECK(sink.hooks()[0].name == "heartbeat");
    CHECK(sink.hooks()[0].default_cron == "*/5 * * * *");
    CHECK(sink.hooks()[0].time_zone == "UTC");

    tg::testing::Call slot;
    slot.scheduled_unix_ms = 1714521600000;
    CHECK(sink.run_hook("heartbeat", tg::testing::dry_run()) == TG_OK);
    CHECK(host.logged("would append a heartbeat"));
    CHECK(lines_of(path).empty());
    CHECK(sink.run_hook("heartbeat", slot) == TG_OK);
    REQUIRE(lines_of(path).size() == 1);
    CHECK(lines_of(path)[0]["scheduled_unix_ms"] == 1714521600000);
    const auto unknown = sink.run_hook("rotate");
    CHECK(unknown == TG_DROP);
    CHECK(unknown.error == "this sink has no hook named 'rotate'");

    // /dev/full opens, but every write fails with ENOSPC.
    auto full = host.create(tg_sink_entry(), config_for("/dev/full"));
    REQUIRE(full.created() == TG_OK);
    const auto result = full.deliver(hand_written);
    CHECK(result == TG_RETRY_LATER);
    CHECK(result.error == "hello_sink: cannot write /dev/full: No space left on device");
}
