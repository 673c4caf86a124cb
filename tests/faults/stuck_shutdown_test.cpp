// Shutdown with a sink stuck in its call: the host gives up on the call after its grace period
// and ends without destroying what the detached call still uses (the spool, the metrics, the
// plugin). The fault sink's call returns only when the plugin's static objects are destroyed,
// which is when an exit that tears everything down would let it run into freed memory.
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <thread>
#include <vector>

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

// Stopped while clients keep connecting: the server threads Poco started for the last
// connections, run or not yet, all end before the server is destroyed. Under LeakSanitizer a
// thread started but never run left Poco's dispatcher, the request gate and its connections
// unfreed: the exit status was 134 instead of 0.
TEST_CASE("a host stopped in a burst of connections exits 0, every server thread ended",
          "[faults]") {
    test::TempDir dir;
    test::write_file(dir / "routes.yaml",
                     "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
                         dir / "out.log" + "\nroute:\n  sink: logs\n");
    for (int round = 0; round < 5; ++round) {
        test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                               dir / ("host" + std::to_string(round) + ".log"));
        REQUIRE(host.wait_ready());
        std::atomic<bool> stop{false};
        std::atomic<int> answered{0};
        std::vector<std::thread> clients;
        for (int c = 0; c < 8; ++c)
            clients.emplace_back([&] {
                const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
                while (!stop) {
                    const int fd = connect_loopback(host.port());
                    if (fd < 0) continue;
                    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
                    if (read_answer(fd, std::chrono::seconds(2)).status == 200) ++answered;
                    ::close(fd);
                }
            });
        REQUIRE(test::eventually([&] { return answered >= 50; }));
        const int status = host.terminate();
        stop = true;
        for (auto& client : clients) client.join();
        INFO(host.log());
        CHECK(status == 0);
    }
}
