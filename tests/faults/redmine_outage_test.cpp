// Scenario a: Redmine goes away in the middle of a burst of 1,000 alerts and comes back: the host
// answers 200 throughout, and once Redmine is back every alert reaches it exactly once.
//
// Redmine is shared with the other suites, so it is not stopped: it is taken away behind a TCP
// proxy, which refuses connections and resets the ones in flight (a request may have been
// applied by Redmine with its answer lost: the case that makes duplicates).
#include "redmine_faults.hpp"

using namespace tg;
using namespace tg::faults;

TEST_CASE(
    "Redmine down for 30 s in the middle of a burst of 1,000 alerts: all delivered once it is back",
    "[faults][redmine]") {
    const auto started = std::chrono::steady_clock::now();
    rgtest::Admin admin;
    const std::string project = admin.create_project("faults-outage");
    test::TempDir dir;
    TcpProxy proxy(redmine_port());
    test::write_file(dir / "routes.yaml",
                     redmine_routes("http://127.0.0.1:" + std::to_string(proxy.port()), project));
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log");
    REQUIRE(host.wait_ready());

    // 50 alertnames × 20 hosts; each group notified as it grows (5, 10, 15, 20 hosts), as
    // Alertmanager does at every group_interval: 200 notifications, resends included.
    const auto alertnames = names("Outage", 50);
    const auto hosts = names("host", 20);
    std::vector<std::string> bodies;
    for (size_t size : {5, 10, 15, 20})
        for (const auto& a : alertnames)
            bodies.push_back(
                group_body(a, std::vector<std::string>(hosts.begin(), hosts.begin() + size)));

    Sender sender(host.port());
    std::atomic<size_t> posted{0};
    size_t down_at_posted = 0;
    std::thread outage([&] {
        // Down once a third of the burst is in (Redmine busy creating), for 30 s.
        test::eventually([&] { return posted >= bodies.size() / 3; }, std::chrono::seconds(60));
        proxy.down();
        down_at_posted = posted;
        std::this_thread::sleep_for(std::chrono::seconds(30));
        proxy.up();
    });
    // Paced over ~45 s (8 clients, one notification each per 1.8 s): the host keeps taking
    // notifications all through the outage.
    parallel_for(bodies.size(), 8, [&](size_t i) {
        CHECK(sender.deliver(bodies[i]));
        ++posted;
        std::this_thread::sleep_for(std::chrono::milliseconds(1800));
    });
    const double burst_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outage.join();
    const size_t posted_during_outage = bodies.size() - down_at_posted;
    // Redmine creates the tickets one at a time (thin) for this and the tests beside it: ample.
    const bool done = settled(host.port(), std::chrono::seconds(270));
    const auto c = census(admin.issues(project), alertnames, hosts);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const int64_t retries = metric(host.port(), "tickets_grouping_retries_total{sink=\"redmine\"}");
    report("a redmine-outage", sender.sent, sender.acknowledged,
           alertnames.size() * (hosts.size() + 1), c.expected_found, c.duplicates, seconds,
           "non-200 answers " + std::to_string(sender.refused + sender.unanswered) +
               ", sink retries " + std::to_string(retries) + ", burst " +
               std::to_string(static_cast<int>(burst_seconds)) +
               " s, notifications sent after Redmine went down " +
               std::to_string(posted_during_outage) + ", proxy connections " +
               std::to_string(proxy.connections()));
    INFO("problems: " << [&] {
        std::string s;
        for (const auto& p : c.problems) s += p + "; ";
        return s;
    }());
    CHECK(done);
    CHECK(sender.refused == 0);
    CHECK(sender.unanswered == 0);
    CHECK(sender.acknowledged == bodies.size());
    CHECK(retries > 0);  // the outage was felt
    CHECK(c.roots == alertnames.size());
    CHECK(c.children == alertnames.size() * hosts.size());
    CHECK(c.duplicates == 0);
    CHECK(c.wrong_parent == 0);
    CHECK(c.issues == alertnames.size() * (hosts.size() + 1));
    CHECK(host.terminate() == 0);
}
