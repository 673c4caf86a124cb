// Issue 11's store findings, against both stores: an attempt counts when it is claimed (a crash in
// the sink's call is not forgotten when leases are cleared), dead letters are pruned after their
// retention, and a sink's head follows commit order across writers.
#include "store_test_support.hpp"

#include "test_support.hpp"

#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace tg::host;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

void commit(Spool& spool, const std::string& sink, std::initializer_list<std::string> keys) {
    std::vector<NewDelivery> batch;
    for (const auto& key : keys)
        batch.push_back({sink, "route", "{\"n\":\"" + key + "\"}", key, ""});
    spool.commit(batch);
}

}  // namespace

void claims_count_attempts(const std::string& kind) {
    TestStore store(kind);
    {
        auto first = store.open("replica-a", 300ms);
        commit(*first, "s", {"k1"});
        const Claim claim = first->claim("s");
        REQUIRE(claim.delivery);
        CHECK(claim.delivery->attempts == 0);
        CHECK(claim.delivery->interrupted == 0);
    }  // the process dies in the sink's call: no outcome recorded
    auto second = store.open("replica-b", 300ms);
    Claim again;
    // SQLite: the lease is cleared at open; PostgreSQL: it expires.
    REQUIRE(tg::test::eventually([&] { return (again = second->claim("s")).delivery.has_value(); },
                                 5s));
    CHECK(again.delivery->attempts == 1);  // the interrupted claim counted
    CHECK(again.delivery->interrupted == 1);
    // An outcome recorded ends the call: the next claim is not an interrupted one.
    REQUIRE(second->reschedule(again.delivery->id, 2, now_ms(), "retry"));
    const Claim third = second->claim("s");
    REQUIRE(third.delivery);
    CHECK(third.delivery->attempts == 2);
    CHECK(third.delivery->interrupted == 1);
}
STORE_TEST_CASE(
    "issue 11: a delivery attempt is counted when it is claimed, and clearing leases at start "
    "does not reset it",
    claims_count_attempts)

TEST_CASE(
    "issue 11: PostgreSQL store: a sink's head follows commit order across two writers, not the "
    "order their ids were taken",
    "[postgresql]") {
    using namespace Poco::Data::Keywords;
    TestStore store("postgresql");
    auto a = store.open("writer-a");
    auto b = store.open("writer-b");
    // A third session holds a key A's batch needs: A takes its ids, then waits in its transaction.
    Poco::Data::Session holder("PostgreSQL", store.url().connection_string);
    holder.begin();
    holder << "INSERT INTO deliveries (sink, route, payload, idempotency_key, created_ms, next_ms)"
              " VALUES ('s', 'r', '{}', 'blocker', 0, 0)",
        now;
    std::atomic<int> order{0}, a_done{0}, b_done{0};
    std::thread writer_a([&] {
        commit(*a, "s", {"a1", "blocker"});
        a_done = ++order;
    });
    Poco::Data::Session watcher("PostgreSQL", store.url().connection_string);
    REQUIRE(tg::test::eventually([&] {
        int waiting = 0;
        watcher << "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                   " AND datname = current_database()",
            into(waiting), now;
        return waiting > 0;
    }));
    std::thread writer_b([&] {
        commit(*b, "s", {"b1"});
        b_done = ++order;
    });
    // The old store acknowledges B here, while A still waits with the smaller id.
    const bool b_before_a = tg::test::eventually([&] { return b_done != 0; }, 3s);
    holder.rollback();
    writer_a.join();
    writer_b.join();
    const Claim head = a->claim("s");
    REQUIRE(head.delivery);
    // Once A is released both are acknowledged at about the same moment, in either order: what
    // counts is whether B was acknowledged while A was still in its transaction.
    INFO("B acknowledged before A's transaction ended: " << b_before_a);
    CHECK(head.delivery->idempotency_key == (b_before_a ? "b1" : "a1"));
}

void dead_letters_pruned(const std::string& kind) {
    TestStore store(kind);
    auto spool = store.open("replica-a");
    commit(*spool, "s", {"k1"});
    const Claim claim = spool->claim("s");
    REQUIRE(claim.delivery);
    REQUIRE(spool->dead_letter(*claim.delivery, 1, "refused"));
    CHECK(spool->stats().dead_letters == 1);
    SpoolOptions options;
    options.owner = "replica-b";
    options.dead_letter_retention = 200ms;
    options.prune_every = 100ms;
    Spool pruning(store.url(), options);
    // Kept while younger than the retention, pruned periodically once older.
    CHECK(tg::test::eventually([&] { return pruning.stats().dead_letters == 0; }, 10s));
}
STORE_TEST_CASE("issue 11: dead letters are pruned after server.dead_letter_retention",
                dead_letters_pruned)
