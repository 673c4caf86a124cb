// Scenario c: an Alertmanager HA cluster of three: every notification arrives three times at
// once, from peers that differ in their externalURL (so not byte-identical): Redmine ends up
// with exactly what one delivery makes, firing and resolved.
#include "redmine_faults.hpp"

using namespace tg;
using namespace tg::faults;

TEST_CASE("every notification delivered three times concurrently: the content of one delivery",
          "[faults][redmine][concurrency]") {
    const auto started = std::chrono::steady_clock::now();
    rgtest::Admin admin;
    const std::string project = admin.create_project("faults-ha");
    test::TempDir dir;
    test::write_file(dir / "routes.yaml", redmine_routes(rgtest::redmine_env().url, project));
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log");
    REQUIRE(host.wait_ready());

    const auto alertnames = names("Ha", 10);
    const auto hosts = names("host", 10);
    std::vector<std::string> firing, resolved;
    for (size_t size : {3, 6, 10})
        for (const auto& a : alertnames)
            firing.push_back(
                group_body(a, std::vector<std::string>(hosts.begin(), hosts.begin() + size)));
    for (const auto& a : alertnames) resolved.push_back(group_body(a, hosts, "resolved"));

    Sender sender(host.port());
    auto three_at_once = [&](const std::vector<std::string>& bodies) {
        parallel_for(bodies.size(), 3, [&](size_t i) {
            std::vector<std::thread> peers;
            for (int peer = 1; peer <= 3; ++peer)
                peers.emplace_back([&, peer] {
                    std::string body = bodies[i];
                    const std::string from = "http://alertmanager:9093";
                    body.replace(body.find(from), from.size(),
                                 "http://am-" + std::to_string(peer) + ":9093");
                    CHECK(sender.deliver(body));
                });
            for (auto& t : peers) t.join();
        });
    };
    three_at_once(firing);
    REQUIRE(settled(host.port(), std::chrono::seconds(120)));
    three_at_once(resolved);
    REQUIRE(settled(host.port(), std::chrono::seconds(120)));

    const auto issues = admin.issues(project);
    const auto c = census(issues, alertnames, hosts);
    // One 解消 note per host ticket, no 再発, nothing on the Roots.
    const auto notes = check_resolved_notes(admin, issues, [](const std::string& subject) {
        return subject.rfind("[Root]", 0) == 0 ? 0u : 1u;
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report("c ha-triplicate", sender.sent, sender.acknowledged,
           alertnames.size() * (hosts.size() + 1), c.expected_found, c.duplicates, seconds,
           "issues with wrong notes " + std::to_string(notes.wrong));
    INFO("problems: " << [&] {
        std::string s;
        for (const auto& p : c.problems) s += p + "; ";
        return s + notes.first_wrong;
    }());
    CHECK(sender.acknowledged == 3 * (firing.size() + resolved.size()));
    CHECK(c.duplicates == 0);
    CHECK(c.wrong_parent == 0);
    CHECK(c.issues == alertnames.size() * (hosts.size() + 1));
    CHECK(notes.wrong == 0);
    CHECK(host.terminate() == 0);
}
