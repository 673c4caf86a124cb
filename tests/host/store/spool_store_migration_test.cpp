// The spool's store API against both stores: schema migrations (old SQLite files, replicas
// migrating at once, a newer schema refused).
#include "store_test_support.hpp"

#include "spool/spool_sql.hpp"
#include "spool_store_test_support.hpp"
#include "test_support.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace tg::host;
using namespace tg::test::spool_store;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------- migrations

TEST_CASE("migration: a version 1 SQLite spool file opens, keeps its work and gains leases",
          "[sqlite]") {
    tg::test::TempDir dir;
    const std::string path = dir / "spool.sqlite3";
    {
        // Exactly the schema the first release created.
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session old("SQLite", path);
        using namespace Poco::Data::Keywords;
        for (const char* statement : {
                 "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                 "CREATE TABLE IF NOT EXISTS deliveries ( id INTEGER PRIMARY KEY, sink TEXT NOT "
                 "NULL, route TEXT "
                 "NOT NULL, payload TEXT NOT NULL, idempotency_key TEXT NOT NULL, created_ms "
                 "BIGINT NOT NULL, "
                 "next_ms BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT "
                 "NOT NULL DEFAULT "
                 "'')",
                 "CREATE UNIQUE INDEX IF NOT EXISTS deliveries_pending_key ON deliveries (sink, "
                 "idempotency_key)",
                 "CREATE INDEX IF NOT EXISTS deliveries_by_sink ON deliveries (sink, id)",
                 "CREATE TABLE IF NOT EXISTS dead_letters ( id INTEGER PRIMARY KEY, sink TEXT NOT "
                 "NULL, route "
                 "TEXT NOT NULL, payload TEXT NOT NULL, idempotency_key TEXT NOT NULL, created_ms "
                 "BIGINT NOT "
                 "NULL, failed_ms BIGINT NOT NULL, attempts INTEGER NOT NULL, reason TEXT NOT "
                 "NULL)",
                 "CREATE TABLE IF NOT EXISTS hook_runs ( sink TEXT NOT NULL, hook TEXT NOT NULL, "
                 "last_slot_ms "
                 "BIGINT NOT NULL, PRIMARY KEY (sink, hook))",
                 "INSERT INTO schema_version (version) VALUES (1)",
                 "INSERT INTO deliveries (sink, route, payload, idempotency_key, created_ms, "
                 "next_ms, attempts, "
                 "last_error) VALUES ('s', 'route', '{}', 'old-key', 1000, 2000, 2, 'timeout')",
                 "INSERT INTO hook_runs (sink, hook, last_slot_ms) VALUES ('s', 'tick', 1234)",
             })
            old << statement, now;
    }
    Spool spool(path);
    const Claim claim = spool.claim("s");
    REQUIRE(claim.delivery);
    CHECK(claim.delivery->idempotency_key == "old-key");
    CHECK(claim.delivery->attempts == 2);
    CHECK(claim.delivery->last_error == "timeout");
    CHECK(*spool.hook_last_slot("s", "tick") == 1234);
    CHECK(spool.claim_hook_run("s", "tick", 1234).claimed);
    const int64_t old_id = claim.delivery->id;
    spool.complete(old_id);
    // Version 3 copied the table with AUTOINCREMENT: the next id is past the old row's.
    spool.commit({{"s", "route", "{}", "new-key", ""}});
    const Claim next = spool.claim("s");
    REQUIRE(next.delivery);
    CHECK(next.delivery->id > old_id);
    spool.complete(next.delivery->id);

    Poco::Data::Session check("SQLite", path);
    int version = 0;
    using namespace Poco::Data::Keywords;
    check << "SELECT MAX(version) FROM schema_version", into(version), now;
    CHECK(version == spool_sql::schema_version);
}

void migration_idempotent(const std::string& kind) {
    TestStore store(kind);
    // Several replicas starting at once against a fresh store: one migrates, the others wait.
    std::vector<std::thread> starts;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i)
        starts.emplace_back([&, i] {
            try {
                auto spool = store.open("replica-" + std::to_string(i));
                commit(*spool, "s", {"k" + std::to_string(i)});
            } catch (const std::exception& e) {
                UNSCOPED_INFO(e.what());
                ++failures;
            }
        });
    for (auto& start : starts) start.join();
    CHECK(failures == 0);
    auto spool = store.open("again");
    CHECK(spool->stats().depth == 4);
}
STORE_TEST_CASE("migration: replicas starting at once on a fresh store all open it",
                migration_idempotent)

TEST_CASE("migration: a store newer than this build is refused with its version", "[sqlite]") {
    tg::test::TempDir dir;
    const std::string path = dir / "spool.sqlite3";
    { Spool spool(path); }
    {
        Poco::Data::Session session("SQLite", path);
        using namespace Poco::Data::Keywords;
        session << "INSERT INTO schema_version (version) VALUES (99)", now;
    }
    CHECK_THROWS_WITH(Spool(path),
                      Catch::Contains("schema version 99, newer than this build knows"));
}

}  // namespace
