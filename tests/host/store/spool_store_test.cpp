// The spool's store API against both stores, with several Spool objects on one store standing
// for replicas: claims and leases, order, dedup, dead letters, hook slot claims, migrations.
#include "store_test_support.hpp"

#include "spool/spool_sql.hpp"
#include "test_support.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace tg::host;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

NewDelivery delivery(const std::string& sink, const std::string& key) {
    return {sink, "route", "{\"alerts\":[],\"n\":\"" + key + "\"}", key};
}

void commit(Spool& spool, const std::string& sink, std::initializer_list<std::string> keys) {
    std::vector<NewDelivery> batch;
    for (const auto& key : keys) batch.push_back(delivery(sink, key));
    spool.commit(batch);
}

std::string claimed_key(const Claim& claim) {
    return claim.delivery ? claim.delivery->idempotency_key : "";
}

// ---------------------------------------------------------------- claims

void claims_in_order_one_at_a_time(const std::string& kind) {
    TestStore store(kind);
    auto a = store.open("replica-a");
    auto b = store.open("replica-b");
    commit(*a, "s", {"k1", "k2"});
    commit(*b, "s", {"k3"});
    commit(*b, "t", {"t1"});

    const Claim first = a->claim("s");
    REQUIRE(claimed_key(first) == "k1");
    CHECK(first.delivery->attempts == 0);
    CHECK(first.delivery->payload == delivery("s", "k1").payload);
    // B may not take k1 (A holds it) nor skip ahead to k2: the sink's order holds cluster-wide.
    const Claim blocked = b->claim("s");
    CHECK_FALSE(blocked.delivery);
    CHECK(blocked.waiting);
    CHECK(blocked.held_elsewhere);
    CHECK(blocked.retry_at_ms > now_ms() + 50'000);  // until A's lease ends, at the latest
    // Another sink is independent.
    CHECK(claimed_key(b->claim("t")) == "t1");

    a->complete(first.delivery->id);
    const Claim second = b->claim("s");
    REQUIRE(claimed_key(second) == "k2");
    CHECK(a->claim("s").held_elsewhere);
    b->complete(second.delivery->id);
    CHECK(claimed_key(a->claim("s")) == "k3");
    CHECK(a->stats().depth == 2);  // k3 (claimed) and t1 (claimed)
}
STORE_TEST_CASE("claims: a sink's deliveries go in arrival order, one replica at a time",
                claims_in_order_one_at_a_time)

void claims_race(const std::string& kind) {
    TestStore store(kind);
    std::vector<std::unique_ptr<Spool>> replicas;
    for (int i = 0; i < 3; ++i) replicas.push_back(store.open("replica-" + std::to_string(i)));
    std::vector<NewDelivery> batch;
    for (int i = 0; i < 30; ++i) batch.push_back(delivery("s", "k" + std::to_string(100 + i)));
    replicas[0]->commit(batch);

    // Three replicas drain the sink at once; each delivery is taken exactly once, in order, and
    // never while another is in flight.
    std::mutex mutex;
    std::vector<std::string> order;
    std::atomic<int> in_flight{0}, overlaps{0};
    std::vector<std::thread> workers;
    for (auto& replica : replicas)
        workers.emplace_back([&, spool = replica.get()] {
            const auto deadline = std::chrono::steady_clock::now() + 30s;
            while (std::chrono::steady_clock::now() < deadline) {
                const Claim claim = spool->claim("s");
                if (!claim.delivery) {
                    if (!claim.waiting) return;  // drained
                    std::this_thread::sleep_for(1ms);
                    continue;
                }
                if (in_flight.fetch_add(1) != 0) ++overlaps;
                {
                    std::lock_guard lock(mutex);
                    order.push_back(claim.delivery->idempotency_key);
                }
                std::this_thread::sleep_for(2ms);
                in_flight.fetch_sub(1);
                spool->complete(claim.delivery->id);
            }
        });
    for (auto& worker : workers) worker.join();
    std::vector<std::string> expected;
    for (int i = 0; i < 30; ++i) expected.push_back("k" + std::to_string(100 + i));
    CHECK(order == expected);
    CHECK(overlaps == 0);
}
STORE_TEST_CASE("claims: replicas racing for one sink take each delivery once, in order",
                claims_race)

// ---------------------------------------------------------------- leases

void leases_expire(const std::string& kind) {
    TestStore store(kind);
    auto b = store.open("replica-b", 300ms);
    auto a = store.open("replica-a", 300ms);
    commit(*a, "s", {"k1", "k2"});
    const Claim held = a->claim("s");
    REQUIRE(claimed_key(held) == "k1");

    // While A lives it renews its lease: B still cannot take k1 after several lease lengths.
    std::this_thread::sleep_for(1000ms);
    CHECK(b->claim("s").held_elsewhere);

    // A dies (its process is gone: no renewal, no outcome). Its lease runs out; B takes k1 over.
    a.reset();
    Claim taken;
    CHECK(tg::test::eventually([&] { return (taken = b->claim("s")).delivery.has_value(); }, 3s));
    REQUIRE(claimed_key(taken) == "k1");
    CHECK(taken.taken_over_from == "replica-a");
    CHECK(taken.delivery->id == held.delivery->id);
    b->complete(taken.delivery->id);
    CHECK(claimed_key(b->claim("s")) == "k2");
}
STORE_TEST_CASE("leases: held while the replica lives, taken over once it died and they expired",
                leases_expire)

void sqlite_restart_takes_over_at_once(const std::string&) {
    // One process per SQLite file: leases found when it opens belong to a killed process.
    TestStore store("sqlite");
    auto a = store.open("replica-a");
    commit(*a, "s", {"k1"});
    REQUIRE(claimed_key(a->claim("s")) == "k1");
    a.reset();
    auto restarted = store.open("replica-a2");
    const Claim claim = restarted->claim("s");
    CHECK(claimed_key(claim) == "k1");
}
TEST_CASE("leases: an SQLite spool reopened after a kill takes its work over at once", "[sqlite]") {
    sqlite_restart_takes_over_at_once("sqlite");
}

void reschedule_and_lost_leases(const std::string& kind) {
    TestStore store(kind);
    auto a = store.open("replica-a", 300ms);
    auto b = store.open("replica-b", 300ms);
    commit(*a, "s", {"k1", "k2"});
    Claim claim = a->claim("s");
    REQUIRE(claimed_key(claim) == "k1");
    const int64_t later = now_ms() + 60'000;
    CHECK(a->reschedule(claim.delivery->id, 1, later, "boom"));
    // The head waits for its retry and holds the line: k2 does not overtake it.
    for (Spool* spool : {a.get(), b.get()}) {
        const Claim waiting = spool->claim("s");
        CHECK_FALSE(waiting.delivery);
        CHECK(waiting.waiting);
        CHECK_FALSE(waiting.held_elsewhere);
        CHECK(waiting.retry_at_ms == later);
    }

    // A replica whose lease ran out (stalled longer than a lease) records nothing: the
    // replica that took the delivery over does.
    TestStore second(kind);
    auto c = second.open("replica-c", 300ms);
    auto d = second.open("replica-d", 300ms);
    auto c_again = second.open("replica-c", 300ms);  // the same replica once it wakes up
    commit(*c, "s", {"k1"});
    const Claim stalled = c->claim("s");
    REQUIRE(stalled.delivery);
    c.reset();  // stands for a stall: no renewal
    Claim taken;
    REQUIRE(tg::test::eventually([&] { return (taken = d->claim("s")).delivery.has_value(); }, 3s));
    CHECK_FALSE(c_again->reschedule(stalled.delivery->id, 1, now_ms(), "late"));
    CHECK_FALSE(c_again->dead_letter(*stalled.delivery, 1, "late"));
    CHECK(d->reschedule(taken.delivery->id, 1, now_ms(), "retry"));
    const Claim again = d->claim("s");
    REQUIRE(again.delivery);
    CHECK(again.delivery->attempts == 1);
    CHECK(again.delivery->last_error == "retry");
}
STORE_TEST_CASE("leases: reschedule frees the head and delays it, a lost lease records nothing",
                reschedule_and_lost_leases)

// ---------------------------------------------------------------- dead letters, dedup

void dead_letters(const std::string& kind) {
    TestStore store(kind);
    auto a = store.open("replica-a");
    auto b = store.open("replica-b");
    commit(*a, "s", {"k1", "k2"});
    const Claim claim = a->claim("s");
    REQUIRE(claim.delivery);
    CHECK_FALSE(b->dead_letter(*claim.delivery, 3, "not b's"));
    CHECK(a->dead_letter(*claim.delivery, 3, "gave up"));
    const auto stats = b->stats();
    CHECK(stats.depth == 1);
    CHECK(stats.dead_letters == 1);
    CHECK(stats.oldest_created_ms > 0);
    CHECK(claimed_key(b->claim("s")) == "k2");
}
STORE_TEST_CASE("dead letters: the holder moves the head there, the next one follows", dead_letters)

void dedup(const std::string& kind) {
    TestStore store(kind);
    auto a = store.open("replica-a");
    auto b = store.open("replica-b");
    commit(*a, "s", {"k1"});
    commit(*b, "s", {"k1"});
    commit(*a, "t", {"k1"});  // same key, other sink: other work
    CHECK(a->stats().depth == 2);

    // The same resends reach several replicas at once, in different orders: one row each, and
    // no commit fails (no deadlock between the replicas' transactions).
    std::vector<std::string> keys;
    for (int i = 0; i < 40; ++i) keys.push_back("r" + std::to_string(i));
    std::atomic<int> failures{0};
    std::vector<std::thread> senders;
    for (int r = 0; r < 3; ++r)
        for (int t = 0; t < 4; ++t)
            senders.emplace_back([&, r, t] {
                Spool& spool = r % 2 ? *a : *b;
                for (int i = 0; i < 40; ++i) {
                    const auto& key = keys[(i * (t + 1) + r * 7) % 40];
                    try {
                        spool.commit({delivery("u", key), delivery("u", keys[(i + 13 * t) % 40])});
                    } catch (const std::exception&) {
                        ++failures;
                    }
                }
            });
    for (auto& sender : senders) sender.join();
    CHECK(failures == 0);
    CHECK(a->stats().depth == 2 + 40);
}
STORE_TEST_CASE("dedup: a byte-identical pending delivery is one row, even from replicas at once",
                dedup)

// ---------------------------------------------------------------- hooks

void hook_claims(const std::string& kind) {
    TestStore store(kind);
    auto a = store.open("replica-a", 300ms);
    auto b = store.open("replica-b", 300ms);
    const int64_t t0 = now_ms() - 120'000;
    CHECK(a->init_hook("s", "tick", t0) == t0);
    CHECK(b->init_hook("s", "tick", now_ms()) == t0);  // the first replica's start counts

    HookClaim claim = a->claim_hook_run("s", "tick", t0);
    CHECK(claim.claimed);
    HookClaim lost = b->claim_hook_run("s", "tick", t0);
    CHECK_FALSE(lost.claimed);
    CHECK(lost.last_slot_ms == t0);
    CHECK(lost.busy_until_ms > now_ms());
    std::this_thread::sleep_for(700ms);  // longer than the lease: A renews it while it runs
    CHECK_FALSE(b->claim_hook_run("s", "tick", t0).claimed);
    const int64_t t1 = now_ms();
    a->finish_hook_run("s", "tick", t1);
    // The slot was run: B's claim on the old slot fails and tells it where the schedule is.
    lost = b->claim_hook_run("s", "tick", t0);
    CHECK_FALSE(lost.claimed);
    CHECK(lost.last_slot_ms == t1);
    CHECK(*b->hook_last_slot("s", "tick") == t1);

    // A failed run: nobody retries before the pause is over, then anyone may.
    REQUIRE(b->claim_hook_run("s", "tick", t1).claimed);
    b->fail_hook_run("s", "tick", now_ms() + 400);
    CHECK_FALSE(a->claim_hook_run("s", "tick", t1).claimed);
    CHECK(tg::test::eventually([&] { return a->claim_hook_run("s", "tick", t1).claimed; }, 3s));

    // A replica that dies during a run: its lease expires and another runs the slot.
    a.reset();
    CHECK(tg::test::eventually([&] { return b->claim_hook_run("s", "tick", t1).claimed; }, 3s));
}
STORE_TEST_CASE("hooks: one replica runs a due slot, the others follow the stored schedule",
                hook_claims)

void hook_claim_race(const std::string& kind) {
    TestStore store(kind);
    std::vector<std::unique_ptr<Spool>> replicas;
    for (int i = 0; i < 3; ++i) replicas.push_back(store.open("replica-" + std::to_string(i)));
    const int64_t slot = now_ms() - 60'000;
    replicas[0]->set_hook_last_slot("s", "tick", slot);
    for (int round = 0; round < 10; ++round) {
        const int64_t last = slot + round;
        std::atomic<int> winners{0};
        std::vector<std::thread> threads;
        for (auto& replica : replicas)
            for (int t = 0; t < 2; ++t)
                threads.emplace_back([&, spool = replica.get()] {
                    if (spool->claim_hook_run("s", "tick", last).claimed) {
                        ++winners;
                        spool->finish_hook_run("s", "tick", last + 1);
                    }
                });
        for (auto& thread : threads) thread.join();
        CHECK(winners == 1);
    }
}
STORE_TEST_CASE("hooks: replicas claiming one slot at the same moment: exactly one wins",
                hook_claim_race)

void ids_never_reused(const std::string& kind) {
    TestStore store(kind);
    auto spool = store.open("replica-a");
    std::vector<int64_t> ids;
    for (const std::string key : {"k1", "k2", "k3"}) {
        commit(*spool, "s", {key});
        const Claim claim = spool->claim("s");
        REQUIRE(claimed_key(claim) == key);
        ids.push_back(claim.delivery->id);
        // The newest row leaves the table: SQLite's plain rowid handed its id out again.
        spool->complete(claim.delivery->id);
    }
    CHECK(ids[0] < ids[1]);
    CHECK(ids[1] < ids[2]);
    // The same for the dead letters: an id names one alert for the store's life.
    commit(*spool, "s", {"d1"});
    const Claim claim = spool->claim("s");
    REQUIRE(claim.delivery);
    CHECK(claim.delivery->id > ids[2]);
}
STORE_TEST_CASE(
    "issue 14: every delivery log line carries that delivery's own id: a delivered "
    "row's id is never handed out again",
    ids_never_reused)

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
    spool.commit({{"s", "route", "{}", "new-key"}});
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
