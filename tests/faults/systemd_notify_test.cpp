// The host under systemd's Type=notify and WatchdogSec=, with a test double of $NOTIFY_SOCKET
// (a datagram socket, as systemd's): READY=1 once /readyz answers, WATCHDOG=1 keep-alives while
// the sinks' workers come around, none while one is stuck in a call, STOPPING=1 on SIGTERM.
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

using namespace tg;
using namespace tg::faults;

namespace {

// Receives what the host sends to $NOTIFY_SOCKET, each datagram with when it came.
class NotifySocket {
  public:
    explicit NotifySocket(const std::string& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        REQUIRE(path.size() < sizeof address.sun_path);
        std::copy(path.begin(), path.end(), address.sun_path);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        timeval timeout{0, 100000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        reader_ = std::thread([this] {
            char buffer[4096];
            while (!stop_) {
                const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
                if (n <= 0) continue;
                std::lock_guard lock(mutex_);
                messages_.push_back(std::string(buffer, static_cast<size_t>(n)));
            }
        });
    }
    ~NotifySocket() {
        stop_ = true;
        reader_.join();
        ::close(fd_);
    }
    std::vector<std::string> messages() {
        std::lock_guard lock(mutex_);
        return messages_;
    }
    size_t count(const std::string& part) {
        size_t n = 0;
        for (const auto& m : messages())
            if (m.find(part) != std::string::npos) ++n;
        return n;
    }

  private:
    std::string path_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread reader_;
    std::mutex mutex_;
    std::vector<std::string> messages_;
};

}  // namespace

TEST_CASE(
    "issue 14: under systemd's notify socket: READY once /readyz answers, keep-alives stop while "
    "a sink is stuck in a call and resume after it, STOPPING on SIGTERM",
    "[faults]") {
    test::TempDir dir;
    test::write_file(dir / "routes.yaml",
                     "sinks:\n  slow:\n    plugin: " + std::string(TG_FAULT_SINK_PATH) +
                         "\n    config:\n      mode: block\n      block_seconds: 6\n"
                         "route:\n  sink: slow\n");
    NotifySocket notify(dir / "notify.sock");
    // A watchdog of 1.5 s: keep-alives every 0.5 s; a call of 6 s is stuck past it.
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log",
                           {{"NOTIFY_SOCKET", dir / "notify.sock"}, {"WATCHDOG_USEC", "1500000"}});
    REQUIRE(test::eventually([&] { return notify.count("READY=1") == 1 || !host.running(); },
                             std::chrono::seconds(30)));
    INFO(host.log());
    // The first thing the host says, and /readyz answers at once.
    const auto first = notify.messages();
    REQUIRE_FALSE(first.empty());
    CHECK(first.front().find("READY=1") == 0);
    CHECK(first.front().find("STATUS=listening on 127.0.0.1:") != std::string::npos);
    CHECK(test::http_get(host.port(), "/readyz").status == 200);

    REQUIRE(test::eventually([&] { return notify.count("WATCHDOG=1") >= 3; }));
    Sender sender(host.port());
    REQUIRE(sender.deliver(group_body("Slow", {"h1"})));
    // Past the watchdog's 1.5 s in the call, the host says why it withholds the keep-alives.
    REQUIRE(test::eventually(
        [&] { return host.log().find("a sink's worker is stuck") != std::string::npos; }));
    const size_t during = notify.count("WATCHDOG=1");
    std::this_thread::sleep_for(std::chrono::seconds(2));  // four keep-alive ticks
    const size_t still = notify.count("WATCHDOG=1");
    CHECK(still == during);
    CHECK(host.log().find("sink=slow") != std::string::npos);
    // The call returns after 6 s: the keep-alives come back.
    REQUIRE(test::eventually([&] { return notify.count("WATCHDOG=1") >= during + 2; },
                             std::chrono::seconds(20)));
    CHECK(notify.count("STOPPING=1") == 0);
    const size_t after = notify.count("WATCHDOG=1");
    CHECK(host.terminate() == 0);
    std::printf(
        "SYSTEMD first message %s | WATCHDOG=1: %zu when the stuck call was logged, %zu "
        "2 s later, %zu once it returned | STOPPING=1 %zu\n",
        first.front().substr(0, first.front().find('\n')).c_str(), during, still, after,
        notify.count("STOPPING=1"));
    CHECK(notify.count("STOPPING=1") == 1);
    CHECK(notify.count("READY=1") == 1);
}

TEST_CASE("without a watchdog the host sends READY and STOPPING only", "[faults]") {
    test::TempDir dir;
    test::write_file(dir / "routes.yaml",
                     "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
                         dir / "out.log" + "\nroute:\n  sink: logs\n");
    NotifySocket notify(dir / "notify.sock");
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log", {{"NOTIFY_SOCKET", dir / "notify.sock"}});
    REQUIRE(test::eventually([&] { return notify.count("READY=1") == 1 || !host.running(); }));
    CHECK(test::http_get(host.port(), "/readyz").status == 200);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    CHECK(host.terminate() == 0);
    const auto messages = notify.messages();
    REQUIRE(messages.size() == 2);
    CHECK(messages[0].find("READY=1") == 0);
    CHECK(messages[1].find("STOPPING=1") == 0);
}
