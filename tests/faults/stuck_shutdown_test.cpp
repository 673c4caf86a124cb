// Shutdown with a sink stuck in its call: the host gives up on the call after its grace period
// and ends without destroying what the detached call still uses (the spool, the metrics, the
// plugin). The fault sink's call returns only when the plugin's static objects are destroyed,
// which is when an exit that tears everything down would let it run into freed memory.
#include "fault_support.hpp"

#include <catch2/catch.hpp>

using namespace tg;
using namespace tg::faults;

TEST_CASE(
    "issue 11: shutdown with a sink blocked for ever in deliver: the host exits promptly and "
    "cleanly, its detached call never touches a destroyed spool",
    "[faults]") {
    test::TempDir dir;
    test::write_file(dir / "routes.yaml",
                     "sinks:\n  stuck:\n    plugin: " + std::string(TG_FAULT_SINK_PATH) +
                         "\n    config:\n      mode: hang\n"
                         "route:\n  sink: stuck\n");
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log");
    REQUIRE(host.wait_ready());
    Sender sender(host.port());
    REQUIRE(sender.deliver(group_body("Stuck", {"h1"})));
    REQUIRE(test::eventually([&] {
        return metric(host.port(), "tickets_grouping_spool_depth") == 1 &&
               host.log().find("sink ready") != std::string::npos;
    }));
    const auto t0 = std::chrono::steady_clock::now();
    const int status = host.terminate();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::string log = host.log();
    const std::string after = log.substr(log.find("sink did not finish its call in time"));
    report("stuck shutdown", sender.sent, sender.acknowledged, 0, 0, 0, seconds,
           "exit " + std::to_string(status));
    CHECK(status == 0);
    CHECK(log.find("sink did not finish its call in time") != std::string::npos);
    CHECK(after.find("delivered") == std::string::npos);
    CHECK(after.find("cannot record") == std::string::npos);
    CHECK(log.find("AddressSanitizer") == std::string::npos);
}
