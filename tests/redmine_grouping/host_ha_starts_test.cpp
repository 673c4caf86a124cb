// Issue 15 §4 with two real clustered Alertmanagers (an HA pair) fed alerts without startsAt, as
// scripts and `amtool alert add` post them: each peer stamps its own startsAt, both notify (the
// gossip of which peer notified lags behind), and the sink sees each alert alternate between two
// starts a few milliseconds apart. With episode_tolerance (default 30s) each host's ticket gets
// the notes of its own episodes only: 4 hosts firing, 2 resolving, 1 of them firing again.
#include "alertmanager_process.hpp"
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <thread>

namespace {

tg::test::PostedAlert alert(const std::string& instance) {
    tg::test::PostedAlert a;  // no startsAt: each Alertmanager stamps its own
    a.labels = {{"alertname", "HaStartsCheck"}, {"instance", instance}, {"severity", "warning"}};
    a.annotations = {{"description", "HA starts: " + instance}};
    return a;
}

}  // namespace

TEST_CASE(
    "issue 15: two clustered Alertmanagers stamping their own startsAt: one ticket per host, a "
    "解消 and a 再発 only where the alert changed") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("ha-starts");
    rgtest::TempDir dir;
    const std::string env = rgtest::write_env_file(dir, project);
    tg::test::HostProcess host({"--env-file", env, "--state-dir", (dir.path / "state").string()},
                               (dir.path / "host.log").string());
    REQUIRE(host.wait_ready());

    tg::test::AlertmanagerConfig config;
    config.webhook_url = "http://127.0.0.1:" + std::to_string(host.port()) + "/webhook";
    const int gossip_a = tg::test::free_port(), gossip_b = tg::test::free_port();
    // No wait for the other peer, and gossip slower than the notifications: both peers notify,
    // as a pair whose gossip lags does.
    tg::test::AlertmanagerCluster peer_a{gossip_a, {gossip_b}, "0s", "5s", "2s"};
    tg::test::AlertmanagerCluster peer_b{gossip_b, {gossip_a}, "0s", "5s", "2s"};
    std::filesystem::create_directories(dir.path / "a");
    std::filesystem::create_directories(dir.path / "b");
    tg::test::AlertmanagerProcess am_a((dir.path / "a").string(), config, peer_a);
    tg::test::AlertmanagerProcess am_b((dir.path / "b").string(), config, peer_b);
    auto logs = [&] {
        return "host log:\n" + host.log() + "\nalertmanager a:\n" + am_a.log() +
               "\nalertmanager b:\n" + am_b.log();
    };
    if (!am_a.wait_ready() || !am_b.wait_ready()) FAIL("an Alertmanager is not ready\n" << logs());
    auto post_to_both = [&](const std::vector<tg::test::PostedAlert>& alerts, bool resolve) {
        for (auto* am : {&am_a, &am_b})
            REQUIRE((resolve ? am->resolve(alerts) : am->push(alerts)).status == 200);
    };
    auto id_of = [&](const std::string& instance) {
        return admin.find(project, "[Alert] HaStartsCheck (" + instance + ")")
            ->getValue<Poco::Int64>("id");
    };
    auto notified = [](tg::test::AlertmanagerProcess& am) {
        return am.metric("alertmanager_notifications_total", "integration=\"webhook\"");
    };
    auto settle = [&] {
        // Four group intervals for late copies from either peer, then the spool drained.
        std::this_thread::sleep_for(std::chrono::seconds(8));
        REQUIRE(tg::test::eventually(
            [&] {
                return tg::test::metric_value(tg::test::http_get(host.port(), "/metrics").body,
                                              "tickets_grouping_spool_depth") == 0;
            },
            std::chrono::seconds(60)));
    };

    post_to_both({alert("h1"), alert("h2"), alert("h3"), alert("h4")}, false);
    if (!tg::test::eventually([&] { return admin.issues(project).size() == 5; },
                              std::chrono::seconds(60)))
        FAIL("4 tickets and a Root did not appear\n" << logs());
    // Both peers notified: the sink saw each alert with two different starts.
    REQUIRE(tg::test::eventually([&] { return notified(am_a) >= 1 && notified(am_b) >= 1; },
                                 std::chrono::seconds(30)));
    settle();

    post_to_both({alert("h3"), alert("h4")}, true);
    REQUIRE(tg::test::eventually(
        [&] {
            return admin.count_notes(id_of("h3"), "解消") >= 1 &&
                   admin.count_notes(id_of("h4"), "解消") >= 1;
        },
        std::chrono::seconds(60)));
    settle();

    post_to_both({alert("h4")}, false);
    REQUIRE(tg::test::eventually([&] { return admin.count_notes(id_of("h4"), "再発") >= 1; },
                                 std::chrono::seconds(60)));
    settle();

    INFO(logs());
    CHECK(admin.issues(project).size() == 5);  // no second ticket for any host
    std::map<std::string, size_t> notes;
    for (const char* h : {"h1", "h2", "h3", "h4"}) notes[h] = admin.notes(id_of(h)).size();
    CHECK(notes["h1"] == 0);  // never stopped firing: no 再発
    CHECK(notes["h2"] == 0);
    CHECK(notes["h3"] == 1);  // its 解消
    CHECK(notes["h4"] == 2);  // its 解消 and its 再発
    CHECK(admin.count_notes(id_of("h4"), "解消") == 1);
    CHECK(admin.count_notes(id_of("h4"), "再発") == 1);
    std::printf(
        "HA STARTS notifications: peer a %.0f, peer b %.0f | notes: h1 %zu, h2 %zu, h3 %zu, "
        "h4 %zu\n",
        notified(am_a), notified(am_b), notes["h1"], notes["h2"], notes["h3"], notes["h4"]);
    CHECK(host.terminate() == 0);
}
