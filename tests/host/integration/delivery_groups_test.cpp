// Delivery groups (sink ABI 1.6) on one host and its SQLite spool: a sink that declares groups
// gets notifications split by group and takes different groups at once, up to `concurrency`;
// each group's deliveries stay in order and one at a time, also across a kill -9 and restart.
// A notification holding several groups reaches the sink as one delivery per group.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using namespace tg::test;
using namespace std::chrono_literals;

namespace {

constexpr int group_count = 8;

std::string routes(const TempDir& dir, int concurrency) {
    return "sinks:\n"
           "  order:\n"
           "    plugin: " TG_ORDER_SINK_PATH
           "\n"
           "    concurrency: " +
           std::to_string(concurrency) +
           "\n"
           "    config:\n"
           "      deliveries: " +
           dir / "order.txt" + "\n      ticks: " + dir / "ticks.txt" +
           "\n"
           "      delay_ms: 20\n"
           "      group_labels: [alertname]\n"
           "route:\n"
           "  sink: order\n";
}

// One alert of group `g` (its alertname) with its sequence number; the order sink writes the
// instance and the seq.
std::string alert(int g, int seq) {
    return R"({"labels":{"alertname":"G)" + std::to_string(g) + R"(","instance":"g)" +
           std::to_string(g) + R"("},"annotations":{"seq":")" + std::to_string(seq) + R"("}})";
}

struct Delivered {
    std::map<std::string, std::vector<int>> seqs;  // by instance (group), in delivery order
    size_t overlaps = 0;
};

Delivered delivered(const TempDir& dir) {
    Delivered d;
    for (const auto& line : read_lines(dir / "order.txt")) {
        std::istringstream fields(line);
        std::string instance, seq;
        fields >> instance >> seq;
        if (instance == "OVERLAP")
            ++d.overlaps;
        else
            d.seqs[instance].push_back(std::stoi(seq));
    }
    return d;
}

// Posts each group's alerts in sequence from a thread of its own, until `stop` or `per_group`.
void post_groups(int port, std::atomic<bool>& stop, int from, int per_group,
                 std::map<int, std::set<int>>& acknowledged, std::mutex& mutex) {
    std::vector<std::thread> clients;
    for (int g = 0; g < group_count; ++g)
        clients.emplace_back([&, g] {
            for (int seq = from; seq < from + per_group && !stop; ++seq) {
                const std::string body = "{\"alerts\":[" + alert(g, seq) + "]}";
                if (http_post(port, "/webhook", body).status != 200) return;
                std::lock_guard lock(mutex);
                acknowledged[g].insert(seq);
            }
        });
    for (auto& client : clients) client.join();
}

}  // namespace

TEST_CASE(
    "delivery groups: at concurrency 8 the groups go at once, each in order and alone, also "
    "across a kill -9") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes(dir, 8));
    const std::vector<std::string> args{"--config", dir / "routes.yaml", "--state-dir",
                                        dir / "state"};
    std::map<int, std::set<int>> acknowledged;
    std::mutex mutex;
    {
        HostProcess host(args, dir / "host.log");
        REQUIRE(host.wait_ready());
        std::atomic<bool> stop{false};
        std::thread killer([&] {
            std::this_thread::sleep_for(700ms);  // mid-burst, with deliveries in flight
            host.kill_hard();
            stop = true;
        });
        post_groups(host.port(), stop, 0, 40, acknowledged, mutex);
        killer.join();
    }
    HostProcess host(args, dir / "host.log");
    REQUIRE(host.wait_ready());
    INFO(host.log());
    std::atomic<bool> stop{false};
    post_groups(host.port(), stop, 1000, 10, acknowledged, mutex);

    const auto all_delivered = [&] {
        const auto d = delivered(dir);
        for (const auto& [g, seqs] : acknowledged) {
            auto it = d.seqs.find("g" + std::to_string(g));
            if (it == d.seqs.end()) return false;
            const std::set<int> seen(it->second.begin(), it->second.end());
            if (!std::includes(seen.begin(), seen.end(), seqs.begin(), seqs.end())) return false;
        }
        return true;
    };
    REQUIRE(eventually(all_delivered, 60s));
    const auto d = delivered(dir);
    size_t out_of_order = 0, total = 0;
    for (const auto& [instance, seqs] : d.seqs) {
        total += seqs.size();
        // A redelivery after the kill repeats the last one; it never goes back.
        for (size_t i = 1; i < seqs.size(); ++i) out_of_order += seqs[i] < seqs[i - 1] ? 1 : 0;
    }
    const size_t parallel = read_lines(dir / "order.txt.parallel").size();
    INFO("groups " << d.seqs.size() << ", delivered " << total << ", parallel starts " << parallel);
    CHECK(d.seqs.size() == group_count);
    CHECK(out_of_order == 0);
    CHECK(d.overlaps == 0);
    CHECK(parallel > 0);  // 8 groups of 20 ms deliveries on 8 lanes
    CHECK(host.terminate() == 0);
}

// One notification of 4 groups × 3 alerts to a host at `concurrency`: what the sink got.
Delivered one_notification_of_4_groups(int concurrency, size_t& deliveries) {
    TempDir dir;
    write_file(dir / "routes.yaml", routes(dir, concurrency));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    INFO(host.log());
    std::string alerts;
    for (int g = 0; g < 4; ++g)
        for (int seq = 0; seq < 3; ++seq) alerts += (alerts.empty() ? "" : ",") + alert(g, seq);
    REQUIRE(http_post(host.port(), "/webhook", "{\"alerts\":[" + alerts + "]}").status == 200);
    REQUIRE(eventually([&] { return read_lines(dir / "order.txt").size() >= 12; }, 30s));
    REQUIRE(eventually([&] { return host.log().find(" msg=delivered ") != std::string::npos; }));
    CHECK(host.terminate() == 0);
    deliveries = occurrences(host.log(), " msg=delivered ");  // one line per delivery
    Delivered d = delivered(dir);
    CHECK(d.overlaps == 0);
    if (concurrency == 1) CHECK(read_lines(dir / "order.txt.parallel").empty());
    return d;
}

TEST_CASE(
    "delivery groups: a notification of several groups reaches the sink as one delivery per "
    "group at concurrency 4, and as one delivery at concurrency 1") {
    size_t deliveries = 0;
    const Delivered split = one_notification_of_4_groups(4, deliveries);
    CHECK(deliveries == 4);
    CHECK(split.seqs.size() == 4);
    for (const auto& [instance, seqs] : split.seqs) CHECK(seqs == std::vector<int>{0, 1, 2});

    const Delivered whole = one_notification_of_4_groups(1, deliveries);
    CHECK(deliveries == 1);  // concurrency 1: as before delivery groups
    CHECK(whole.seqs.size() == 4);
}
