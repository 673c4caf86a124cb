// /metrics must not stall intake: a scrape whose gauges wait for the store (here a table locked
// by another session of the real PostgreSQL) delays only itself. The webhook still answers 200 and
// the sink still gets its delivery meanwhile.
#include "store_test_support.hpp"

#include "test_support.hpp"

#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>

#include <future>

using namespace tg::test;
using namespace std::chrono_literals;
using namespace Poco::Data::Keywords;

TEST_CASE(
    "issue 11: /metrics must not stall intake: a scrape blocked in a gauge leaves the webhook "
    "and the deliveries free",
    "[postgres]") {
    PostgresDatabase database;
    TempDir dir;
    const std::string out = dir / "alerts.jsonl";
    write_file(dir / "routes.yaml",
               "sinks:\n  logs:\n    plugin: log_sink\n    config:\n"
               "      path: " +
                   out + "\nroute:\n  sink: logs\n");
    HostProcess host(
        {"--config", dir / "routes.yaml", "--state-dir", dir / "state", "--store", database.url()},
        dir / "host.log");
    REQUIRE(host.wait_ready());

    // The dead letters' count waits behind this lock, so every scrape does.
    Poco::Data::Session locker("PostgreSQL", parse(database.url()).connection_string);
    locker.begin();
    locker << "LOCK TABLE dead_letters IN ACCESS EXCLUSIVE MODE", now;
    auto scrape = std::async(std::launch::async, [&] {
        return http_request(host.port(), "GET", "/metrics", "", {}, 120s);
    });
    Poco::Data::Session watcher("PostgreSQL", parse(database.url()).connection_string);
    REQUIRE(eventually([&] {
        int waiting = 0;
        watcher << "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                   " AND query LIKE '%dead_letters%'",
            into(waiting), now;
        return waiting > 0;
    }));

    const auto answer =
        http_post(host.port(), "/webhook",
                  R"({"alerts":[{"labels":{"alertname":"Scraped","instance":"a"}}]})");
    const bool delivered = eventually([&] { return read_json_lines(out).size() == 1; }, 10s);
    locker.rollback();
    const auto metrics = scrape.get();
    CHECK(answer.status == 200);
    CHECK(delivered);
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("tickets_grouping_dead_letters 0") != std::string::npos);
    CHECK(metrics.body.find("tickets_grouping_notifications_received_total 1") !=
          std::string::npos);
    CHECK(host.terminate() == 0);
}
