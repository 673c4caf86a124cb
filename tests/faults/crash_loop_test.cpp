// A sink that kills the process on one delivery: the attempt is counted when the delivery is
// claimed, so restarts do not retry it for ever; after server.max_crashes claims it goes to the
// dead letters with the reason, and the deliveries behind it go out.
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace tg;
using namespace tg::faults;

namespace {

// The lines of the fault sink's `calls` file that are of `kind` ("marker" or "other").
size_t calls_of(const std::string& path, const std::string& kind) {
    std::ifstream in(path);
    size_t n = 0;
    for (std::string line; std::getline(in, line);)
        n += line.size() > kind.size() && line.ends_with(" " + kind) ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE(
    "issue 11: a delivery whose sink kills the process ends in the dead letters after "
    "server.max_crashes claims, and the queue moves on",
    "[faults]") {
    test::TempDir dir;
    const std::string calls = dir / "calls.log", gate = dir / "gate";
    test::write_file(dir / "routes.yaml",
                     "sinks:\n  victim:\n    plugin: " + std::string(TG_FAULT_SINK_PATH) +
                         "\n    config:\n      mode: crash_on\n      marker: PoisonAlert\n"
                         "      gate: " +
                         gate + "\n      calls: " + calls +
                         "\n    retry:\n      initial_backoff: 100ms\n"
                         "route:\n  sink: victim\n");
    const std::vector<std::string> args{"--config", dir / "routes.yaml", "--state-dir",
                                        dir / "state"};
    const std::map<std::string, std::string> env{{"WEBHOOK_MAX_CRASHES", "2"}};

    int crashes = 0;
    {
        test::HostProcess host(args, dir / "host.log", env);
        REQUIRE(host.wait_ready());
        Sender sender(host.port());
        REQUIRE(sender.deliver(group_body("PoisonAlert", {"h1"})));
        // The sink holds the poison in its call; the next notification queues behind it.
        REQUIRE(test::eventually([&] { return calls_of(calls, "marker") == 1; }));
        REQUIRE(sender.deliver(group_body("GoodAlert", {"h1"})));
        test::write_file(gate, "");
        REQUIRE(test::eventually([&] { return !host.running(); }));
        ++crashes;
    }
    // Restart as systemd would, until a start stays up (bounded: the old code loops for ever).
    bool stayed_up = false;
    for (int start = 0; start < 8 && !stayed_up; ++start) {
        test::HostProcess host(args, dir / "host.log", env);
        test::eventually([&] {
            return !host.running() || metric(host.port(), "tickets_grouping_dead_letters") == 1;
        });
        if (!host.running()) {
            ++crashes;
            continue;
        }
        stayed_up = true;
        CHECK(test::eventually([&] { return calls_of(calls, "other") == 1; }));
        CHECK(test::eventually(
            [&] { return metric(host.port(), "tickets_grouping_spool_depth") == 0; }));
        CHECK(metric(host.port(), "tickets_grouping_dead_letters") == 1);
        CHECK(host.terminate() == 0);
    }
    report("crash loop", 2, 2, 1, calls_of(calls, "other"), 0, 0,
           "crashes " + std::to_string(crashes) + ", poison calls " +
               std::to_string(calls_of(calls, "marker")));
    REQUIRE(stayed_up);
    CHECK(crashes == 2);
    CHECK(calls_of(calls, "marker") == 2);  // the third claim dead-letters it without a call
    const std::string log = test::read_file(dir / "host.log");
    CHECK(log.find("delivery dead-lettered") != std::string::npos);
    CHECK(log.find("the host stopped 2 times during this delivery (server.max_crashes: 2)") !=
          std::string::npos);
}
