// A head its target keeps refusing with a retryable answer, while the target is otherwise healthy
// (the sink's probe, ABI 1.3, succeeds): after server.probe_after attempts it goes to the dead
// letters and the queue moves on. A probe that fails, or a plugin without one (a 1.2 table),
// keeps today's behaviour: the head is retried.
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace tg;
using namespace tg::faults;

namespace {

size_t lines_of(const std::string& path, const std::string& suffix) {
    std::ifstream in(path);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.ends_with(suffix) ? 1 : 0;
    return n;
}

struct Setup {
    test::TempDir dir;
    std::string calls = dir / "calls.log";
    std::unique_ptr<test::HostProcess> host;

    Setup(const std::string& probe, std::map<std::string, std::string> env) {
        test::write_file(dir / "routes.yaml",
                         "sinks:\n  victim:\n    plugin: " + std::string(TG_FAULT_SINK_PATH) +
                             "\n    config:\n      mode: retry_on\n      marker: PoisonAlert\n"
                             "      probe: " +
                             probe + "\n      calls: " + calls +
                             "\n    retry:\n      initial_backoff: 10ms\n      max_backoff: 50ms\n"
                             "route:\n  sink: victim\n");
        env["WEBHOOK_PROBE_AFTER"] = "3";
        host = std::make_unique<test::HostProcess>(
            std::vector<std::string>{"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
            dir / "host.log", env);
        REQUIRE(host->wait_ready());
        Sender sender(host->port());
        REQUIRE(sender.deliver(group_body("PoisonAlert", {"h1"})));
        REQUIRE(sender.deliver(group_body("GoodAlert", {"h1"})));
    }
    int64_t dead_letters() { return metric(host->port(), "tickets_grouping_dead_letters"); }
};

}  // namespace

TEST_CASE(
    "issue 11: a head that keeps failing while the target is otherwise healthy goes to the dead "
    "letters after server.probe_after attempts, and the queue moves on",
    "[faults]") {
    Setup setup("ok", {});
    CHECK(test::eventually([&] { return lines_of(setup.calls, " other") == 1; }));
    CHECK(setup.dead_letters() == 1);
    CHECK(lines_of(setup.calls, " marker") == 3);
    CHECK(lines_of(setup.calls, "probe") == 1);
    CHECK(setup.host->log().find(
              "failed 3 attempts in a row while the sink's probe of its target succeeds "
              "(server.probe_after: 3); last error: fault_sink: the target refuses PoisonAlert") !=
          std::string::npos);
    CHECK(setup.host->terminate() == 0);
}

TEST_CASE(
    "issue 11: a failing head whose sink's probe fails too (the target is down) is retried, not "
    "dead-lettered",
    "[faults]") {
    Setup setup("retry", {});
    REQUIRE(test::eventually([&] { return lines_of(setup.calls, " marker") >= 8; }));
    CHECK(lines_of(setup.calls, "probe") >= 5);  // asked from the third attempt on
    CHECK(setup.dead_letters() == 0);
    CHECK(lines_of(setup.calls, " other") == 0);  // still behind the head
    CHECK(setup.host->terminate() == 0);
}

TEST_CASE(
    "issue 11: a 1.2 plugin (its table ends before probe) keeps today's behaviour: the failing "
    "head is retried, the field behind its table is never called",
    "[faults]") {
    Setup setup("ok", {{"FAULT_SINK_ABI_MINOR", "2"}});
    REQUIRE(test::eventually([&] { return lines_of(setup.calls, " marker") >= 8; }));
    CHECK(lines_of(setup.calls, "probe") == 0);
    CHECK(setup.dead_letters() == 0);
    CHECK(setup.host->terminate() == 0);
}
