// Scenario b: the host killed with SIGKILL at random moments, at least ten times, during a burst
// (Redmine requests in flight, spool commits in flight) and started again each time: once it
// settles, Redmine holds exactly the expected tickets and parents. At concurrency 8: the Roots'
// deliveries go side by side (delivery groups), each Root's in order.
#include "redmine_faults.hpp"

#include <random>

using namespace tg;
using namespace tg::faults;

TEST_CASE(
    "the host killed -9 twelve times during a burst at concurrency 8: exactly the expected "
    "tickets",
    "[faults][redmine]") {
    const auto started = std::chrono::steady_clock::now();
    rgtest::Admin admin;
    const std::string project = admin.create_project("faults-kill");
    test::TempDir dir;
    test::write_file(dir / "routes.yaml", redmine_routes(rgtest::redmine_env().url, project, 8));
    const std::vector<std::string> args{"--config", dir / "routes.yaml", "--state-dir",
                                        dir / "state"};
    const int port = test::free_port();

    // 10 alertnames × 10 hosts, each group notified as it grows one host at a time: 100
    // notifications, paced so that Redmine work goes on through all the kills.
    const auto alertnames = names("Kill", 10);
    const auto hosts = names("host", 10);
    std::vector<std::string> bodies;
    for (size_t size = 1; size <= hosts.size(); ++size)
        for (const auto& a : alertnames)
            bodies.push_back(
                group_body(a, std::vector<std::string>(hosts.begin(), hosts.begin() + size)));

    auto host = std::make_unique<test::HostProcess>(args, dir / "host.log",
                                                    std::map<std::string, std::string>{}, port);
    REQUIRE(host->wait_ready());
    Sender sender(port);
    std::atomic<bool> burst_done{false};
    std::thread clients([&] {
        parallel_for(bodies.size(), 4, [&](size_t i) {
            CHECK(sender.deliver(bodies[i], std::chrono::seconds(180)));
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        });
        burst_done = true;
    });
    std::mt19937 random(std::random_device{}());
    int kills = 0;
    for (; kills < 12 || !burst_done; ++kills) {
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1500)(random)));
        host->kill_hard();
        host = std::make_unique<test::HostProcess>(args, dir / "host.log",
                                                   std::map<std::string, std::string>{}, port);
        REQUIRE(host->wait_ready());
        if (kills > 60) break;
    }
    clients.join();
    const bool done = settled(port, std::chrono::seconds(120));
    const auto c = census(admin.issues(project), alertnames, hosts);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report("b host-kill", sender.sent, sender.acknowledged, alertnames.size() * (hosts.size() + 1),
           c.expected_found, c.duplicates, seconds,
           "kills " + std::to_string(kills) + ", non-200 answers " +
               std::to_string(sender.refused + sender.unanswered));
    INFO("problems: " << [&] {
        std::string s;
        for (const auto& p : c.problems) s += p + "; ";
        return s;
    }());
    CHECK(kills >= 10);
    CHECK(done);
    CHECK(sender.acknowledged == bodies.size());
    CHECK(c.roots == alertnames.size());
    CHECK(c.children == alertnames.size() * hosts.size());
    CHECK(c.duplicates == 0);
    CHECK(c.wrong_parent == 0);
    CHECK(c.issues == alertnames.size() * (hosts.size() + 1));
    CHECK(host->terminate() == 0);
}
