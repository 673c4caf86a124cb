// Issue 15 §3 with a real Alertmanager (Debian's prometheus-alertmanager), the host and the real
// Redmine: a resolve Alertmanager never delivered, and an alert posted while the host was down,
// reach Redmine through the reconcile hook; a silenced alert keeps its ticket untouched.
//   1. h1 and h2 fire: their tickets (and a Root) through the webhook. h2 is silenced.
//   2. The host stops. h1 is resolved in Alertmanager, which fails to deliver the resolve, and
//      then restarts: an Alertmanager holds its alerts in memory only, so the resolve is gone
//      for good. Prometheus' resends (h2, silenced) and a new alert, h3, arrive at the new one.
//      It was not given the host's rotated webhook token: the host refuses its h3 (401), which
//      Alertmanager does not retry, and its next try is a group_interval (1h) away.
//   3. The host restarts; `--run-hook redmine:reconcile --dry-run` says what it would do and
//      changes nothing; `--run-hook redmine:reconcile` writes h1's 解消 note (once: a second
//      run writes nothing) and makes h3's ticket; h2's ticket has no note.
#include "alertmanager_process.hpp"
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>

namespace {

tg::test::PostedAlert alert(const std::string& instance, const std::string& starts_at) {
    tg::test::PostedAlert a;
    a.labels = {{"alertname", "ReconcileCheck"}, {"instance", instance}, {"severity", "warning"}};
    a.annotations = {{"description", "reconcile: " + instance}};
    a.starts_at = starts_at;
    return a;
}

}  // namespace

TEST_CASE(
    "issue 15: reconcile with a real Alertmanager: a lost resolve noted once, a silenced alert "
    "untouched, an alert posted while the host was down gets its ticket") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("reconcile");
    rgtest::TempDir dir;
    const std::string state = (dir.path / "state").string();
    const int host_port = tg::test::free_port();
    tg::test::AlertmanagerConfig config;
    config.bearer_token = "reconcile-webhook-token";
    config.webhook_url = "http://127.0.0.1:" + std::to_string(host_port) + "/webhook";
    const std::string am_dir = (dir.path / "am").string();
    std::filesystem::create_directories(am_dir);
    auto am = std::make_unique<tg::test::AlertmanagerProcess>(am_dir, config);
    REQUIRE(am->wait_ready());
    // The env file names the Alertmanager of now (its port changes when it restarts).
    auto env_file = [&] {
        return rgtest::write_env_file(
            dir, project,
            "REDMINE_ALERTMANAGER_URL=http://127.0.0.1:" + std::to_string(am->port()) +
                "\nREDMINE_RECONCILE_GRACE=0s\n"
                "WEBHOOK_BEARER_TOKEN=reconcile-webhook-token\n");
    };
    auto host = std::make_unique<tg::test::HostProcess>(
        std::vector<std::string>{"--env-file", env_file(), "--state-dir", state},
        (dir.path / "host.log").string(), std::map<std::string, std::string>{}, host_port);
    REQUIRE(host->wait_ready());
    auto logs = [&] { return "host log:\n" + host->log() + "\nalertmanager:\n" + am->log(); };
    auto id_of = [&](const std::string& instance) -> int64_t {  // 0: no such ticket
        int64_t id = 0;
        for (const auto& issue : admin.issues(project))
            if (issue->getValue<std::string>("subject") ==
                "[Alert] ReconcileCheck (" + instance + ")") {
                REQUIRE(id == 0);  // one ticket per host
                id = issue->getValue<Poco::Int64>("id");
            }
        return id;
    };

    const std::string started = tg::test::rfc3339_utc(-std::chrono::minutes(1));
    REQUIRE(am->push({alert("h1", started), alert("h2", started)}).status == 200);
    if (!tg::test::eventually([&] { return admin.issues(project).size() == 3; },
                              std::chrono::seconds(60)))
        FAIL("2 tickets and a Root did not appear\n" << logs());
    REQUIRE(am->silence({{"alertname", "ReconcileCheck"}, {"instance", "h2"}}).status == 200);
    REQUIRE(host->terminate() == 0);

    // The resolve, undeliverable; then Alertmanager restarts and forgets it.
    REQUIRE(am->resolve({alert("h1", started)}).status == 200);
    REQUIRE(tg::test::eventually(
        [&] {
            return am->metric("alertmanager_notifications_failed_total",
                              "integration=\"webhook\"") >= 1;
        },
        std::chrono::seconds(60)));
    REQUIRE(am->stop() == 0);
    am.reset();
    config.group_interval = "1h";  // no resend of h3 while the test runs
    config.bearer_token = "the-token-before-the-rotation";
    am = std::make_unique<tg::test::AlertmanagerProcess>(am_dir, config);
    REQUIRE(am->wait_ready());
    REQUIRE(am->silence({{"alertname", "ReconcileCheck"}, {"instance", "h2"}}).status == 200);
    REQUIRE(am->push({alert("h2", started), alert("h3", tg::test::rfc3339_utc())}).status == 200);
    REQUIRE(tg::test::eventually(
        [&] {
            std::map<std::string, std::string> states;
            for (const auto& a : am->alerts()) states[a.labels.at("instance")] = a.state;
            return states.size() == 2 && states["h2"] == "suppressed" && states["h3"] == "active";
        },
        std::chrono::seconds(30)));
    host = std::make_unique<tg::test::HostProcess>(
        std::vector<std::string>{"--env-file", env_file(), "--state-dir", state},
        (dir.path / "host2.log").string(), std::map<std::string, std::string>{}, host_port);
    REQUIRE(host->wait_ready());
    // Its one try at h3 was refused by the host: the next is an hour away.
    if (!tg::test::eventually(
            [&] {
                return am->metric("alertmanager_notifications_failed_total",
                                  "integration=\"webhook\"") >= 1;
            },
            std::chrono::seconds(60)))
        FAIL("Alertmanager did not try h3\n" << logs());
    const std::vector<std::string> run_hook{tg::test::host_binary(), "--env-file", env_file(),
                                            "--state-dir",           state,        "--run-hook",
                                            "redmine:reconcile"};
    std::string output;
    std::vector<std::string> dry = run_hook;
    dry.push_back("--dry-run");
    REQUIRE(tg::test::run_command(dry, output) == 0);
    INFO(output);
    CHECK(output.find("would resolve '[Alert] ReconcileCheck (h1)'") != std::string::npos);
    CHECK(output.find("would apply '[Alert] ReconcileCheck (h3)'") != std::string::npos);
    CHECK(admin.notes(id_of("h1")).empty());
    CHECK(id_of("h3") == 0);

    REQUIRE(tg::test::run_command(run_hook, output) == 0);
    CHECK(admin.count_notes(id_of("h1"), "解消") == 1);
    CHECK(admin.count_notes(id_of("h1"), "Alertmanager との照合で検出") == 1);
    REQUIRE(id_of("h3") != 0);
    CHECK(admin.notes(id_of("h2")).empty());  // silenced: untouched
    const auto root = admin.find(project, "[Root] [Alert] ReconcileCheck");
    REQUIRE(root);
    CHECK(admin.issue(id_of("h3"))->getObject("parent")->getValue<Poco::Int64>("id") ==
          root->getValue<Poco::Int64>("id"));

    REQUIRE(tg::test::run_command(run_hook, output) == 0);  // once
    INFO(logs());
    CHECK(admin.notes(id_of("h1")).size() == 1);
    CHECK(admin.notes(id_of("h2")).empty());
    CHECK(admin.issues(project).size() == 4);
    CHECK(host->terminate() == 0);
}
