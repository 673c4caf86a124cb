// The spool's store API against both stores, with replicas: what becomes of a delivery's row. Dead
// letters, dedup of identical pending deliveries, ids never handed out again.
#include "store_test_support.hpp"

#include "spool_store_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace tg::host;
using namespace tg::test::spool_store;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

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

}  // namespace
