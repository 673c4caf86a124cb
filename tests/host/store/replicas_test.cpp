// Three hosts on one PostgreSQL, as replicas behind an Alertmanager cluster: each gets its own
// notifications and all get the same ones at once; one is killed with SIGKILL mid-burst. Nothing
// acknowledged may be lost, byte-identical notifications should be delivered once, a sink sees an
// alert's notifications in order and one delivery at a time across the replicas, and a scheduled
// hook runs once per slot across the replicas.
#include "store_test_support.hpp"

#include "test_support.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using namespace tg::test;
using namespace std::chrono_literals;

namespace {

constexpr int replica_count = 3;
constexpr int clients_per_replica = 2;

std::string body(const std::string& instance, int seq) {
    return R"({"receiver":"replicas","alerts":[{"status":"firing","labels":{"alertname":"Burst","instance":")" +
           instance + R"("},"annotations":{"seq":")" + std::to_string(seq) + R"("}}]})";
}

std::string routes(const TempDir& dir, int replica) {
    const std::string own = dir / ("r" + std::to_string(replica));
    return "sinks:\n"
           "  logs:\n"
           "    plugin: log_sink\n"
           "    config:\n"
           "      path: " +
           own +
           "/alerts.jsonl\n"
           "  order:\n"
           "    plugin: " TG_ORDER_SINK_PATH
           "\n"
           "    config:\n"
           "      deliveries: " +
           dir / "order.txt" +
           "\n"
           "      ticks: " +
           dir / "ticks.txt" +
           "\n"
           "      delay_ms: 2\n"
           "route:\n"
           "  sink: logs\n"
           "  routes:\n"
           "    - sink: order\n"
           "      continue: true\n"
           "    - sink: logs\n";
}

std::vector<std::string> lines_of(const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

// "instance#seq" of every alert log_sink wrote, in every replica's file, with repeats.
std::multiset<std::string> logged(const TempDir& dir) {
    std::multiset<std::string> seen;
    for (int r = 0; r < replica_count; ++r)
        for (const auto& line : lines_of(dir / ("r" + std::to_string(r) + "/alerts.jsonl"))) {
            auto alert =
                Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>()->getObject(
                    "alert");
            seen.insert(alert->getObject("labels")->getValue<std::string>("instance") + "#" +
                        alert->getObject("annotations")->getValue<std::string>("seq"));
        }
    return seen;
}

}  // namespace

TEST_CASE(
    "three replicas on one PostgreSQL: a replica killed mid-burst loses nothing, order and hook "
    "slots hold") {
    PostgresDatabase database;
    TempDir dir;
    {
        // The hook's last run a minute ago: its next slot is due as soon as the replicas start.
        tg::host::Spool spool(parse(database.url()));
        spool.set_hook_last_slot("order", "tick", tg::host::now_ms() - 61'000);
    }
    std::vector<std::unique_ptr<HostProcess>> replicas;
    for (int r = 0; r < replica_count; ++r) {
        const std::string own = dir / ("r" + std::to_string(r));
        write_file(own + ".yaml", routes(dir, r));
        replicas.push_back(std::make_unique<HostProcess>(
            std::vector<std::string>{"--config", own + ".yaml", "--state-dir", own, "--store",
                                     database.url()},
            own + ".log",
            std::map<std::string, std::string>{{"TICKETS_GROUPING_STORE_LEASE_MS", "3000"}}));
    }
    for (auto& replica : replicas) REQUIRE(replica->wait_ready());
    INFO(replicas[0]->log());
    // All three saw the slot due; one ran it.
    REQUIRE(eventually([&] { return !lines_of(dir / "ticks.txt").empty(); }, 15s));

    std::mutex mutex;
    std::set<std::string> acknowledged;
    std::map<int, int> sent, acked;  // per replica
    int shared_sent = 0, shared_acked = 0;
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int r = 0; r < replica_count; ++r)
        for (int c = 0; c < clients_per_replica; ++c)
            clients.emplace_back([&, r, c] {
                const std::string instance = "r" + std::to_string(r) + "c" + std::to_string(c);
                for (int seq = 0; !stop; ++seq) {
                    const bool ok =
                        http_post(replicas[r]->port(), "/webhook", body(instance, seq)).status ==
                        200;
                    std::lock_guard lock(mutex);
                    ++sent[r];
                    if (!ok) break;  // killed: an Alertmanager would move on to another replica
                    ++acked[r];
                    acknowledged.insert(instance + "#" + std::to_string(seq));
                }
            });
    // The same notifications to every replica at once, as an Alertmanager cluster's peers send
    // them.
    std::thread shared([&] {
        for (int seq = 0; !stop; ++seq) {
            std::vector<std::future<int>> posts;
            for (int r = 0; r < replica_count; ++r)
                posts.push_back(std::async(std::launch::async, [&, r, seq] {
                    return http_post(replicas[r]->port(), "/webhook", body("shared", seq)).status;
                }));
            bool any = false;
            for (auto& post : posts) any = post.get() == 200 || any;
            std::lock_guard lock(mutex);
            ++shared_sent;
            if (any) {
                ++shared_acked;
                acknowledged.insert("shared#" + std::to_string(seq));
            }
        }
    });
    std::this_thread::sleep_for(1500ms);
    replicas[2]->kill_hard();  // mid-burst, likely mid-delivery
    std::this_thread::sleep_for(1500ms);
    stop = true;
    for (auto& client : clients) client.join();
    shared.join();
    REQUIRE(acknowledged.size() > 50);

    // Everything acknowledged reaches log_sink on some replica, and the order sink.
    const auto all_logged = [&] {
        const auto seen = logged(dir);
        return std::all_of(acknowledged.begin(), acknowledged.end(),
                           [&](const auto& k) { return seen.count(k) > 0; });
    };
    const auto ordered = [&] {
        std::map<std::string, std::vector<int>> by_instance;
        for (const auto& line : lines_of(dir / "order.txt")) {
            std::istringstream fields(line);
            std::string instance, seq;
            fields >> instance >> seq;
            if (instance != "OVERLAP") by_instance[instance].push_back(std::stoi(seq));
        }
        return by_instance;
    };
    const auto all_ordered = [&] {
        const auto by_instance = ordered();
        return std::all_of(acknowledged.begin(), acknowledged.end(), [&](const std::string& k) {
            const auto hash = k.find('#');
            auto it = by_instance.find(k.substr(0, hash));
            const int seq = std::stoi(k.substr(hash + 1));
            return it != by_instance.end() &&
                   std::find(it->second.begin(), it->second.end(), seq) != it->second.end();
        });
    };
    CHECK(eventually(all_logged, 60s));
    CHECK(eventually(all_ordered, 60s));

    const auto seen = logged(dir);
    const std::set<std::string> distinct(seen.begin(), seen.end());
    size_t lost = 0, shared_duplicates = 0;
    for (const auto& key : acknowledged) lost += seen.count(key) ? 0 : 1;
    for (const auto& key : distinct)
        if (key.rfind("shared#", 0) == 0 && seen.count(key) > 1)
            shared_duplicates += seen.count(key) - 1;

    // Order: each alert's notifications reach the sink in the order they were acknowledged (a
    // redelivery after the kill repeats one, it never goes back); never two calls at once.
    size_t out_of_order = 0;
    for (const auto& [instance, seqs] : ordered())
        for (size_t i = 1; i < seqs.size(); ++i) out_of_order += seqs[i] < seqs[i - 1] ? 1 : 0;
    size_t overlaps = 0;
    for (const auto& line : lines_of(dir / "order.txt"))
        overlaps += line.rfind("OVERLAP", 0) == 0 ? 1 : 0;

    // The hook: each slot ran once, on one replica.
    std::map<std::string, int> runs_per_slot;
    for (const auto& line : lines_of(dir / "ticks.txt"))
        ++runs_per_slot[line.substr(0, line.find(' '))];
    int hook_runs = 0, slots_run_twice = 0;
    for (const auto& [slot, runs] : runs_per_slot) {
        hook_runs += runs;
        slots_run_twice += runs > 1 ? 1 : 0;
    }

    std::printf(
        "REPLICAS: sent r0=%d r1=%d r2=%d (killed) shared=%d (x%d replicas); acknowledged r0=%d "
        "r1=%d r2=%d "
        "shared=%d, total %zu; delivered distinct %zu, lines %zu, duplicates %zu (shared %zu); "
        "lost %zu; "
        "out of order %zu; overlapping calls %zu; hook runs %d over %zu slot(s)\n",
        sent[0], sent[1], sent[2], shared_sent, replica_count, acked[0], acked[1], acked[2],
        shared_acked, acknowledged.size(), distinct.size(), seen.size(),
        seen.size() - distinct.size(), shared_duplicates, lost, out_of_order, overlaps, hook_runs,
        runs_per_slot.size());
    std::fflush(stdout);

    CHECK(lost == 0);
    CHECK(out_of_order == 0);
    CHECK(overlaps == 0);
    CHECK(hook_runs >= 1);
    CHECK(slots_run_twice == 0);
    // The replicas killed nothing else: the two survivors stop cleanly.
    CHECK(replicas[0]->terminate() == 0);
    CHECK(replicas[1]->terminate() == 0);
}
