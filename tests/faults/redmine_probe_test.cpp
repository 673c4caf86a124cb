// Against the real Redmine: a head Redmine keeps refusing with a retryable answer (a proxy at the
// test's boundary answers 500 to the requests about that one alert only) while
// /users/current.json answers: after server.probe_after attempts the head goes to the dead
// letters, and the alert behind it gets its ticket. At concurrency 1, so that the other alert is
// behind it (with delivery groups another Root's alert does not wait for it: the same probe
// frees a group's own queue).
#include "redmine_faults.hpp"

using namespace tg;
using namespace tg::faults;

TEST_CASE(
    "issue 11: a head that keeps failing while Redmine is otherwise healthy (its probe "
    "/users/current.json answers) goes to the dead letters, and the next alert gets its ticket",
    "[faults][redmine]") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("faults-probe");
    test::TempDir dir;
    TcpProxy proxy(redmine_port());
    proxy.refuse("PoisonAlert");
    test::write_file(
        dir / "routes.yaml",
        redmine_routes("http://127.0.0.1:" + std::to_string(proxy.port()), project, 1));
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log", {{"WEBHOOK_PROBE_AFTER", "3"}});
    REQUIRE(host.wait_ready());
    Sender sender(host.port());
    REQUIRE(sender.deliver(group_body("PoisonAlert", {"h1"})));
    REQUIRE(sender.deliver(group_body("GoodAlert", {"h1"})));

    auto subjects = [&] {
        std::set<std::string> found;
        for (const auto& issue : admin.issues(project))
            found.insert(issue->getValue<std::string>("subject"));
        return found;
    };
    CHECK(test::eventually([&] { return subjects().count("[Alert] GoodAlert (h1)") == 1; },
                           std::chrono::seconds(60)));
    CHECK(metric(host.port(), "tickets_grouping_dead_letters") == 1);
    CHECK(subjects().count("[Alert] PoisonAlert (h1)") == 0);
    CHECK(proxy.refused() >= 3);
    const std::string log = host.log();
    CHECK(log.find("failed 3 attempts in a row while the sink's probe of its target succeeds "
                   "(server.probe_after: 3)") != std::string::npos);
    report("probe", sender.sent, sender.acknowledged, 1, subjects().size(), 0, 0,
           "refused by the proxy " + std::to_string(proxy.refused()));
    CHECK(host.terminate() == 0);
}
