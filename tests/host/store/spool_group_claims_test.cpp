// Spool::claim_group_head (sink ABI 1.6 delivery groups), against both stores: each group's
// deliveries one at a time and in order, different groups at once, a delivery without a group
// alone and in order with all, and no row taken twice by one replica's workers or by two replicas.
#include "store_test_support.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace tg::host;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

// One delivery per (key, group) pair, in this order: a commit each (PostgreSQL orders one
// batch's rows by key, to keep replicas' inserts from deadlocking).
void commit(Spool& spool, std::initializer_list<std::pair<std::string, std::string>> rows) {
    for (const auto& [key, group] : rows)
        spool.commit({{"s", "route", "{\"n\":\"" + key + "\"}", key, group}});
}

std::string key_of(const Claim& claim) {
    return claim.delivery ? claim.delivery->idempotency_key : std::string("none");
}

}  // namespace

void heads_of_groups_go_at_once_each_group_in_order(const std::string& kind) {
    TestStore store(kind);
    auto spool = store.open("replica-a", 60s);
    commit(*spool, {{"a1", "1:a"}, {"a2", "1:a"}, {"b1", "1:b"}, {"c1", "1:c"}, {"b2", "1:b"}});

    // Three heads at once, oldest first; a group's second waits for its first.
    const Claim first = spool->claim_group_head("s");
    const Claim second = spool->claim_group_head("s");
    const Claim third = spool->claim_group_head("s");
    CHECK(key_of(first) == "a1");
    CHECK(key_of(second) == "b1");
    CHECK(key_of(third) == "c1");
    CHECK(first.delivery->group_key == "1:a");
    const Claim none = spool->claim_group_head("s");
    CHECK_FALSE(none.delivery);
    CHECK(none.waiting);  // the workers holding a1, b1, c1 wake the others when done

    // b1 done: b2 is its group's head now; a1 rescheduled: a2 still waits behind it.
    spool->complete(second.delivery->id);
    CHECK(key_of(spool->claim_group_head("s")) == "b2");
    REQUIRE(spool->reschedule(first.delivery->id, 1, now_ms() + 30'000, "busy"));
    const Claim behind_retry = spool->claim_group_head("s");
    CHECK_FALSE(behind_retry.delivery);
    CHECK(behind_retry.waiting);
    // Until a1's retry time (the lease is 60 s: the held heads wake the workers themselves).
    CHECK(behind_retry.retry_at_ms > now_ms() + 20'000);
    CHECK(behind_retry.retry_at_ms < now_ms() + 31'000);
}
STORE_TEST_CASE("delivery groups: heads of different groups at once, each group in order",
                heads_of_groups_go_at_once_each_group_in_order)

void a_delivery_without_group_goes_alone(const std::string& kind) {
    TestStore store(kind);
    auto spool = store.open("replica-a", 60s);
    // x1 was spooled before the sink had groups (or came back from the dead letters).
    commit(*spool, {{"a1", "1:a"}, {"x1", ""}, {"b1", "1:b"}});

    const Claim a1 = spool->claim_group_head("s");
    CHECK(key_of(a1) == "a1");
    // x1 waits for a1, and b1 (after x1) waits for x1.
    CHECK_FALSE(spool->claim_group_head("s").delivery);
    spool->complete(a1.delivery->id);
    const Claim x1 = spool->claim_group_head("s");
    CHECK(key_of(x1) == "x1");
    CHECK_FALSE(spool->claim_group_head("s").delivery);
    spool->complete(x1.delivery->id);
    CHECK(key_of(spool->claim_group_head("s")) == "b1");
}
STORE_TEST_CASE("delivery groups: a delivery without a group goes alone, in order with all",
                a_delivery_without_group_goes_alone)

void two_replicas_never_take_one_head(const std::string& kind) {
    if (kind == "sqlite") return;  // one process per SQLite file
    TestStore store(kind);
    auto a = store.open("replica-a", 60s);
    auto b = store.open("replica-b", 60s);
    commit(*a, {{"a1", "1:a"}, {"a2", "1:a"}, {"b1", "1:b"}});
    const Claim on_a = a->claim_group_head("s");
    const Claim on_b = b->claim_group_head("s");
    CHECK(key_of(on_a) == "a1");
    CHECK(key_of(on_b) == "b1");  // a1 is held by replica-a, a2 is behind it
    const Claim more = b->claim_group_head("s");
    CHECK_FALSE(more.delivery);
    CHECK(more.held_elsewhere);
    a->complete(on_a.delivery->id);
    CHECK(key_of(b->claim_group_head("s")) == "a2");
}
STORE_TEST_CASE("delivery groups: two replicas never take one group's deliveries at once",
                two_replicas_never_take_one_head)

void attempts_and_interruptions_count_as_in_claim(const std::string& kind) {
    TestStore store(kind);
    {
        auto first = store.open("replica-a", 300ms);
        commit(*first, {{"a1", "1:a"}});
        const Claim claim = first->claim_group_head("s");
        REQUIRE(claim.delivery);
        CHECK(claim.delivery->attempts == 0);
        CHECK(claim.delivery->interrupted == 0);
        CHECK(claim.delivery->payload == "{\"n\":\"a1\"}");
    }  // the process dies in the sink's call
    auto second = store.open("replica-b", 300ms);
    Claim again;
    REQUIRE(tg::test::eventually(
        [&] { return (again = second->claim_group_head("s")).delivery.has_value(); }, 5s));
    CHECK(again.delivery->attempts == 1);
    CHECK(again.delivery->interrupted == 1);
}
STORE_TEST_CASE("delivery groups: a group head's attempts and interrupted claims count as a head's",
                attempts_and_interruptions_count_as_in_claim)
