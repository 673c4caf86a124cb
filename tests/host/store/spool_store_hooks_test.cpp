// The spool's store API against both stores, with replicas: hook slot claims.
#include "store_test_support.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace tg::host;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

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

}  // namespace
