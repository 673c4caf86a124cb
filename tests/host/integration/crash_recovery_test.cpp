// Nothing the host answered 200 for may be lost: kill -9 during a burst, restart, and every
// acknowledged notification still reaches the sink (at least once).
#include "test_support.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <sstream>
#include <thread>

using namespace tg::test;

TEST_CASE("kill -9 during a burst loses no acknowledged notification") {
    TempDir dir;
    const std::string out = dir / "alerts.jsonl";
    write_file(dir / "routes.yaml",
               "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " + out +
                   "\nroute:\n  sink: logs\n");
    const std::vector<std::string> args{"--config", dir / "routes.yaml", "--state-dir",
                                        dir / "state"};

    std::set<int> acknowledged;
    int sent = 0;
    for (int round = 0; round < 3; ++round) {
        HostProcess host(args, dir / "host.log");
        REQUIRE(host.wait_ready());
        std::atomic<bool> stop{false};
        std::mutex mutex;
        std::vector<std::thread> clients;
        for (int c = 0; c < 4; ++c)
            clients.emplace_back([&, c] {
                for (int i = 0; !stop; ++i) {
                    const int n = round * 100000 + c * 10000 + i;
                    const std::string body =
                        R"({"alerts":[{"labels":{"alertname":"Burst","instance":"n)" +
                        std::to_string(n) + R"("}}]})";
                    if (http_post(host.port(), "/webhook", body).status == 200) {
                        std::lock_guard lock(mutex);
                        acknowledged.insert(n);
                    }
                    std::lock_guard lock(mutex);
                    ++sent;
                }
            });
        std::this_thread::sleep_for(std::chrono::milliseconds(400 + round * 150));
        host.kill_hard();
        stop = true;
        for (auto& t : clients) t.join();
    }
    REQUIRE(acknowledged.size() > 50);

    // A last start delivers whatever the killed processes had spooled.
    HostProcess host(args, dir / "host.log");
    REQUIRE(host.wait_ready());
    auto delivered = [&] {
        std::set<int> seen;
        for (const auto& line : read_json_lines(out))
            seen.insert(std::stoi(line->getObject("alert")
                                      ->getObject("labels")
                                      ->getValue<std::string>("instance")
                                      .substr(1)));
        return seen;
    };
    REQUIRE(eventually(
        [&] {
            auto seen = delivered();
            return std::includes(seen.begin(), seen.end(), acknowledged.begin(),
                                 acknowledged.end());
        },
        std::chrono::seconds(60)));
    const auto seen = delivered();
    size_t missing = 0;
    for (int n : acknowledged) missing += seen.count(n) ? 0 : 1;
    INFO("sent " << sent << ", acknowledged " << acknowledged.size() << ", delivered "
                 << seen.size());
    CHECK(missing == 0);
    CHECK(host.terminate() == 0);
}
