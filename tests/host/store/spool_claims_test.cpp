// Issue 11's store findings, against both stores: an attempt counts when it is claimed (a crash in
// the sink's call is not forgotten when leases are cleared), dead letters are pruned after their
// retention, and a sink's head follows commit order across writers.
#include "store_test_support.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace tg::host;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

void commit(Spool& spool, const std::string& sink, std::initializer_list<std::string> keys) {
    std::vector<NewDelivery> batch;
    for (const auto& key : keys) batch.push_back({sink, "route", "{\"n\":\"" + key + "\"}", key});
    spool.commit(batch);
}

}  // namespace

#define STORE_TEST_CASE(title, function)                             \
    TEST_CASE(title " (sqlite)", "[sqlite]") { function("sqlite"); } \
    TEST_CASE(title " (postgresql)", "[postgresql]") { function("postgresql"); }

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
