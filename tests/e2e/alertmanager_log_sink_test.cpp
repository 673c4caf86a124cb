// End to end: a real Prometheus Alertmanager 0.25 delivers its webhooks to the real host, which
// routes them to log_sink. Each test runs its own Alertmanager (free port, own storage, no
// clustering) with group_by [alertname], group_wait 1s, group_interval 2s, send_resolved.
#include "alertmanager_process.hpp"
#include "test_support.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <sstream>
#include <thread>

using namespace tg::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const std::string japanese_description = "CPU使用率が高い: server01 で 95% を超えました";
const std::string japanese_summary = "サーバー負荷警告（東京リージョン）";
const std::string zero_time = "0001-01-01T00:00:00Z";  // Alertmanager's endsAt while firing

std::string file_or_empty(const std::string& path) {
    try {
        return read_file(path);
    } catch (...) {
        return "";
    }
}

std::map<std::string, std::string> string_map(const Poco::JSON::Object::Ptr& object) {
    std::map<std::string, std::string> result;
    if (!object) return result;
    for (const auto& [key, value] : *object) result[key] = value.toString();
    return result;
}

// The "alert" objects of log_sink's lines with this fingerprint and status, in file order.
std::vector<Poco::JSON::Object::Ptr> alerts_in_log(const std::string& path,
                                                   const std::string& fingerprint,
                                                   const std::string& status) {
    std::vector<Poco::JSON::Object::Ptr> found;
    for (const auto& line : read_json_lines(path)) {
        auto alert = line->getObject("alert");
        if (alert && alert->optValue<std::string>("fingerprint", "") == fingerprint &&
            alert->optValue<std::string>("status", "") == status)
            found.push_back(alert);
    }
    return found;
}

std::string routes_for(const TempDir& dir) {
    return "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
           (dir / "alerts.jsonl") + "\nroute:\n  sink: logs\n";
}

std::string webhook_url(int port) {
    return "http://127.0.0.1:" + std::to_string(port) + "/webhook";
}

PostedAlert cpu_alert(const std::string& alertname, const std::string& instance,
                      const std::string& starts_at) {
    PostedAlert alert;
    alert.labels = {{"alertname", alertname}, {"instance", instance}, {"severity", "warning"}};
    alert.annotations = {{"summary", "High CPU on " + instance},
                         {"description", "CPU usage on " + instance + " is above 90%"}};
    alert.starts_at = starts_at;
    alert.generator_url = "http://prometheus.example:9090/graph?g0.expr=cpu_usage+%3E+0.9";
    return alert;
}

// instance label -> fingerprint, as Alertmanager reports it; waits until all `count` are there.
std::map<std::string, std::string> fingerprints_from(AlertmanagerProcess& am,
                                                     const std::string& alertname, size_t count) {
    std::map<std::string, std::string> result;
    eventually(
        [&] {
            result.clear();
            for (const auto& alert : am.alerts())
                if (alert.labels.count("alertname") && alert.labels.at("alertname") == alertname)
                    result[alert.labels.at("instance")] = alert.fingerprint;
            return result.size() == count;
        },
        10s);
    return result;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("a real Alertmanager delivers a group of three alerts and a resolve to log_sink") {
    const auto test_start = Clock::now();
    TempDir dir;
    write_file(dir / "routes.yaml", routes_for(dir));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());

    AlertmanagerConfig config;
    config.webhook_url = webhook_url(host.port());
    AlertmanagerProcess am(dir.path(), config);
    auto logs = [&] {
        return "alertmanager log:\n" + am.log() + "\nhost log:\n" + host.log() +
               "\nalerts.jsonl:\n" + file_or_empty(dir / "alerts.jsonl");
    };
    if (!am.wait_ready()) FAIL("Alertmanager is not ready\n" << logs());

    const std::string alertname = "E2EHighCPU";
    // startsAt now: Alertmanager holds the new group for group_wait (1s), so the three alerts
    // pushed together go out in one notification. (An older startsAt flushes at once.)
    const std::string starts_at = rfc3339_utc();
    std::vector<PostedAlert> posted = {cpu_alert(alertname, "server01", starts_at),
                                       cpu_alert(alertname, "server02", starts_at),
                                       cpu_alert(alertname, "server03", starts_at)};
    posted[0].annotations = {{"summary", japanese_summary}, {"description", japanese_description}};
    const auto pushed_at = Clock::now();
    const auto push = am.push(posted);
    REQUIRE(push.status == 200);

    const auto fingerprints = fingerprints_from(am, alertname, 3);
    REQUIRE(fingerprints.size() == 3);

    const std::string log_path = dir / "alerts.jsonl";
    const bool delivered = eventually(
        [&] {
            for (const auto& [instance, fingerprint] : fingerprints)
                if (alerts_in_log(log_path, fingerprint, "firing").empty()) return false;
            return true;
        },
        20s);
    if (!delivered) FAIL("the firing alerts did not reach log_sink\n" << logs());
    const double first_delivery = seconds_since(pushed_at);

    // One notification with all three alerts: one delivery, so one idempotency key.
    const auto first_lines = read_json_lines(log_path);
    CHECK(first_lines.size() == 3);
    for (const auto& line : first_lines)
        CHECK(line->getValue<std::string>("idempotency_key") ==
              first_lines.front()->getValue<std::string>("idempotency_key"));
    CHECK(first_delivery > 0.8);  // not before group_wait

    for (const auto& sent : posted) {
        const std::string instance = sent.labels.at("instance");
        INFO("instance " << instance);
        const auto found = alerts_in_log(log_path, fingerprints.at(instance), "firing");
        REQUIRE_FALSE(found.empty());
        const auto& alert = found.front();
        CHECK(string_map(alert->getObject("labels")) == sent.labels);
        CHECK(string_map(alert->getObject("annotations")) == sent.annotations);
        CHECK(alert->getValue<std::string>("fingerprint") == fingerprints.at(instance));
        CHECK(alert->getValue<std::string>("status") == "firing");
        CHECK(alert->getValue<std::string>("generatorURL") == sent.generator_url);
        CHECK(alert->getValue<std::string>("startsAt").substr(0, 19) == starts_at.substr(0, 19));
        CHECK(alert->getValue<std::string>("endsAt") == zero_time);
    }
    // Japanese text went through Alertmanager, the host and log_sink unchanged, byte for byte.
    const auto server01 = alerts_in_log(log_path, fingerprints.at("server01"), "firing").front();
    CHECK(server01->getObject("annotations")->getValue<std::string>("description") ==
          japanese_description);
    CHECK(server01->getObject("annotations")->getValue<std::string>("summary") == japanese_summary);
    CHECK(read_file(log_path).find(japanese_description) != std::string::npos);
    for (const auto& line : read_json_lines(log_path)) {
        CHECK(line->getValue<std::string>("receiver") == "host");
        CHECK(line->getValue<std::string>("route") == "route");
        CHECK(line->getValue<std::string>("idempotency_key").size() == 64);
    }

    // Resolve server02: Alertmanager sends it at the next group_interval with status resolved.
    const auto resolved_at = Clock::now();
    REQUIRE(am.resolve({posted[1]}).status == 200);
    const std::string fp02 = fingerprints.at("server02");
    if (!eventually([&] { return !alerts_in_log(log_path, fp02, "resolved").empty(); }, 20s))
        FAIL("the resolved alert did not reach log_sink\n" << logs());
    const double resolve_delivery = seconds_since(resolved_at);
    const auto resolved = alerts_in_log(log_path, fp02, "resolved").front();
    CHECK(string_map(resolved->getObject("labels")) == posted[1].labels);
    CHECK(resolved->getValue<std::string>("endsAt") != zero_time);
    CHECK(alerts_in_log(log_path, fingerprints.at("server01"), "resolved").empty());
    CHECK(alerts_in_log(log_path, fingerprints.at("server03"), "resolved").empty());
    // Alertmanager sends the whole group again: server01 and server03 firing once more.
    const auto all_lines = read_json_lines(log_path);
    CHECK(all_lines.size() == 6);
    CHECK(alerts_in_log(log_path, fingerprints.at("server01"), "firing").size() == 2);
    CHECK(alerts_in_log(log_path, fingerprints.at("server03"), "firing").size() == 2);

    // Every notification Alertmanager sent was accepted and counted by the host, and delivered.
    auto host_metric = [&](const std::string& name, const std::string& filter = "") {
        return prometheus_metric(http_get(host.port(), "/metrics").body, name, filter);
    };
    const std::string webhook = "integration=\"webhook\"";
    CHECK(eventually(
        [&] {
            return am.metric("alertmanager_notifications_total", webhook) ==
                   host_metric("tickets_grouping_notifications_received_total");
        },
        5s));
    const double notifications = host_metric("tickets_grouping_notifications_received_total");
    CHECK(notifications == 2);  // the firing group, then the group with the resolved alert
    CHECK(host_metric("tickets_grouping_alerts_received_total") == 6);
    CHECK(eventually(
        [&] {
            return host_metric("tickets_grouping_deliveries_total",
                               "sink=\"logs\",result=\"ok\"") == notifications;
        },
        5s));
    CHECK(host_metric("tickets_grouping_webhook_rejected_total") == 0);
    CHECK(am.metric("alertmanager_notifications_failed_total", webhook) == 0);

    CHECK(am.stop() == 0);
    CHECK(host.terminate() == 0);
    std::fprintf(stderr,
                 "[e2e timing] first delivery %.1fs after push, resolved line %.1fs after resolve, "
                 "%g notifications, test %.1fs\n",
                 first_delivery, resolve_delivery, notifications, seconds_since(test_start));
}

TEST_CASE("alerts pushed while the host is down arrive once it is up") {
    const auto test_start = Clock::now();
    TempDir dir;
    write_file(dir / "routes.yaml", routes_for(dir));
    const int host_port = free_port();  // nothing listens there yet

    AlertmanagerConfig config;
    config.webhook_url = webhook_url(host_port);
    config.bearer_token = "e2e-token";  // the host does not check it; it must not get in the way
    AlertmanagerProcess am(dir.path(), config);
    auto logs = [&] {
        return "alertmanager log:\n" + am.log() + "\nhost log:\n" +
               file_or_empty(dir / "host.log") + "\nalerts.jsonl:\n" +
               file_or_empty(dir / "alerts.jsonl");
    };
    if (!am.wait_ready()) FAIL("Alertmanager is not ready\n" << logs());

    const std::string alertname = "E2EDiskFull";
    std::vector<PostedAlert> posted = {cpu_alert(alertname, "db01", rfc3339_utc(-1min)),
                                       cpu_alert(alertname, "db02", rfc3339_utc(-1min))};
    posted[1].annotations["description"] = "ディスク使用率が 95% を超えました";
    const auto pushed_at = Clock::now();
    REQUIRE(am.push(posted).status == 200);
    const auto fingerprints = fingerprints_from(am, alertname, 2);
    REQUIRE(fingerprints.size() == 2);

    // Alertmanager tries (after group_wait) and gets "connection refused"; start the host only
    // after it has failed at least once and a few seconds have passed.
    const std::string failed_requests = "alertmanager_notification_requests_failed_total";
    const std::string webhook = "integration=\"webhook\"";
    if (!eventually([&] { return am.metric(failed_requests, webhook) >= 1; }, 10s))
        FAIL("Alertmanager did not try the host while it was down\n" << logs());
    std::this_thread::sleep_until(pushed_at + 4s);
    const double failed_before_host = am.metric(failed_requests, webhook);

    const auto host_started = Clock::now();
    ChildProcess host({host_binary(), "--config", dir / "routes.yaml", "--state-dir", dir / "state",
                       "--listen", "127.0.0.1:" + std::to_string(host_port)},
                      dir / "host.log");
    if (!eventually(
            [&] { return !host.running() || http_get(host_port, "/healthz").status == 200; },
            15s) ||
        !host.running())
        FAIL("the host did not start\n" << logs());

    const std::string log_path = dir / "alerts.jsonl";
    if (!eventually(
            [&] {
                for (const auto& [instance, fingerprint] : fingerprints)
                    if (alerts_in_log(log_path, fingerprint, "firing").empty()) return false;
                return true;
            },
            30s))
        FAIL("the alerts did not reach log_sink after the host started\n" << logs());
    const double delivered_after = seconds_since(host_started);
    for (const auto& sent : posted) {
        const auto found =
            alerts_in_log(log_path, fingerprints.at(sent.labels.at("instance")), "firing");
        REQUIRE_FALSE(found.empty());
        CHECK(string_map(found.front()->getObject("labels")) == sent.labels);
        CHECK(string_map(found.front()->getObject("annotations")) == sent.annotations);
    }

    const auto metrics = http_get(host_port, "/metrics").body;
    CHECK(prometheus_metric(metrics, "tickets_grouping_notifications_received_total") >= 1);
    CHECK(prometheus_metric(metrics, "tickets_grouping_alerts_received_total") >= 2);
    CHECK(eventually([&] { return am.metric("alertmanager_notifications_total", webhook) >= 1; },
                     5s));

    std::fprintf(stderr,
                 "[e2e timing] host down: %g failed webhook request(s) before the host started "
                 "%.1fs after the push; delivered %.1fs after the host started; %g failed in "
                 "all; test %.1fs\n",
                 failed_before_host, seconds_since(pushed_at) - seconds_since(host_started),
                 delivered_after, am.metric(failed_requests, webhook), seconds_since(test_start));
    CHECK(am.stop() == 0);
    CHECK(host.stop() == 0);
}

TEST_CASE("the generated alertmanager.yml passes amtool check-config") {
    TempDir dir;
    AlertmanagerConfig config;
    config.webhook_url = webhook_url(5005);
    SECTION("no auth") {}
    SECTION("bearer token") { config.bearer_token = "a \"quoted\" token"; }
    SECTION("basic auth") {
        config.basic_user = "am-user";
        config.basic_password = "s3cret: pass";
    }
    write_file(dir / "alertmanager.yml", config.yaml());
    std::string output;
    const int status = run_command(
        {find_program("amtool", "/usr/bin/amtool"), "check-config", dir / "alertmanager.yml"},
        output);
    INFO(config.yaml() << "\n" << output);
    CHECK(status == 0);
    CHECK(output.find("SUCCESS") != std::string::npos);
}
