// The spool's store API against both stores, with several Spool objects on one store standing
// for replicas: claims and leases, order, dedup, dead letters, hook slot claims, migrations.
// This file: claims and leases. Rows (dead letters, dedup, ids), hooks and migrations:
// spool_store_*_test.cpp.
#include "store_test_support.hpp"

#include "spool_store_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

using namespace tg::host;
using namespace tg::test::spool_store;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

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

}  // namespace
