// The redmine_grouping state on a PostgreSQL store that several host replicas share (label
// postgres): the same behaviour as the SQLite file, a schema per sink instance, what one replica
// writes the others read, per-key locks that one replica at a time holds (and a dead replica's
// connection gives back), and a lost connection opened again.
#include "state_store.hpp"
#include "state_store_cases.hpp"
#include "store_test_support.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using namespace tg::redmine;
using namespace std::chrono_literals;
using Poco::Data::Keywords::now;

namespace {

StateLocation shared(const tg::test::PostgresDatabase& database, const std::string& instance) {
    return StateLocation::shared(tg::test::parse(database.url()).connection_string,
                                 shared_schema_name("redmine_grouping", instance));
}

Poco::Data::Session admin(const tg::test::PostgresDatabase& database) {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    return Poco::Data::Session("PostgreSQL", tg::test::parse(database.url()).connection_string);
}

void on_a_fresh_store(void (*check)(StateStore&)) {
    tg::test::PostgresDatabase database;
    StateStore store(shared(database, "redmine"));
    check(store);
}

}  // namespace

TEST_CASE("shared state: issues, Roots and episodes round-trip") {
    on_a_fresh_store(cases::issues_roots_and_episodes_round_trip);
}

TEST_CASE("shared state: idempotency keys and create intents") {
    on_a_fresh_store(cases::idempotency_keys_and_create_intents);
}

TEST_CASE("shared state: a dry run leaves nothing behind") {
    on_a_fresh_store(cases::a_dry_run_leaves_nothing_behind);
}

TEST_CASE("shared state: replicas of an instance share it, other instances keep apart") {
    tg::test::PostgresDatabase database;
    StateStore replica_a(shared(database, "redmine"));
    StateStore replica_b(shared(database, "redmine"));
    StateStore other_team(shared(database, "redmine-インフラ"));
    replica_a.put_issue("[Alert] HighCPU (server01)", "HighCPU", {7, true, 0, 0, 1});
    replica_a.mark_applied("delivery-1", 1);
    REQUIRE(replica_b.issue("[Alert] HighCPU (server01)"));
    CHECK(replica_b.issue("[Alert] HighCPU (server01)")->id == 7);
    CHECK(replica_b.applied("delivery-1"));
    CHECK_FALSE(other_team.issue("[Alert] HighCPU (server01)"));
    CHECK_FALSE(other_team.applied("delivery-1"));

    // Each instance has its schema; the host's spool tables stay in public.
    auto session = admin(database);
    int schemas = 0;
    session << "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN "
               "('redmine_grouping_redmine', 'redmine_grouping_redmine-インフラ')",
        Poco::Data::Keywords::into(schemas), now;
    CHECK(schemas == 2);
}

TEST_CASE("shared state: one replica at a time holds a key, another key is free") {
    tg::test::PostgresDatabase database;
    StateStore replica_a(shared(database, "redmine"));
    StateStore replica_b(shared(database, "redmine"));
    std::atomic<bool> a_released{false};
    std::future<bool> b_got_it_after_a;
    {
        auto held = replica_a.lock("alertname\nHighCPU");
        b_got_it_after_a = std::async(std::launch::async, [&] {
            auto waited = replica_b.lock("alertname\nHighCPU");
            return a_released.load();
        });
        // B waits as long as A holds the key; another key is not held up.
        CHECK(b_got_it_after_a.wait_for(500ms) == std::future_status::timeout);
        StateStore replica_c(shared(database, "redmine"));
        auto other = replica_c.lock("alertname\nDiskFull");
        a_released = true;
    }
    REQUIRE(b_got_it_after_a.wait_for(10s) == std::future_status::ready);
    CHECK(b_got_it_after_a.get());
}

TEST_CASE("shared state: a replica that dies holding a key gives it back") {
    tg::test::PostgresDatabase database;
    StateStore replica_b(shared(database, "redmine"));
    {
        auto replica_a = std::make_unique<StateStore>(shared(database, "redmine"));
        auto held = replica_a->lock("rebuild");
        // A's connection ends without an unlock (as when its process is killed).
        auto session = admin(database);
        int terminated = 0;
        session << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = "
                   "'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE "
                   "datname = current_database())",
            Poco::Data::Keywords::into(terminated), now;
        CHECK(terminated == 1);
        auto got = std::async(std::launch::async, [&] { auto lock = replica_b.lock("rebuild"); });
        CHECK(got.wait_for(10s) == std::future_status::ready);
        got.get();
    }  // A's unlock fails on its dead connection and is swallowed
}

TEST_CASE("shared state: a lost connection is opened again before the next delivery") {
    tg::test::PostgresDatabase database;
    StateStore s(shared(database, "redmine"));
    s.put_issue("k", "A", {1, true, 0, 0, 0});
    {
        auto session = admin(database);
        session << "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                   "current_database() AND pid <> pg_backend_pid()",
            now;
    }
    CHECK_THROWS(s.issue("k"));
    s.ensure_open();
    REQUIRE(s.issue("k"));
    CHECK(s.issue("k")->id == 1);
}

TEST_CASE("shared state: a schema of a newer build is refused, naming both versions") {
    tg::test::PostgresDatabase database;
    { StateStore s(shared(database, "redmine")); }
    admin(database) << "UPDATE redmine_grouping_redmine.meta SET value = '99' WHERE name = "
                       "'schema_version'",
        now;
    try {
        StateStore again(shared(database, "redmine"));
        FAIL("a newer state was opened");
    } catch (const std::exception& e) {
        CHECK_THAT(e.what(), Catch::Contains("schema version 99") && Catch::Contains("(1)"));
        CHECK_THAT(e.what(), !Catch::Contains("password"));
    }
}

TEST_CASE("shared state: three replicas opening at once migrate one after the other") {
    tg::test::PostgresDatabase database;
    std::vector<std::future<void>> opened;
    for (int i = 0; i < 3; ++i)
        opened.push_back(std::async(std::launch::async, [&] {
            StateStore s(shared(database, "redmine"));
            s.mark_applied("k", 1);
        }));
    for (auto& o : opened) CHECK_NOTHROW(o.get());
}
