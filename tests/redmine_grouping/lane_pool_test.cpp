// The sink's pool of delivery lanes (lane_pool.hpp): each delivery running at once holds a lane
// no other holds, a lane given back is taken again before a new one is made, and the pool grows
// only as far as the deliveries running together.
#include "lane_pool.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <barrier>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using tg::redmine::LanePool;

namespace {

struct CountedLane {
    int id = 0;
    std::atomic<int> holders{0};  // deliveries in it now
};

LanePool<CountedLane>::Make numbered(std::atomic<int>& made) {
    return [&made] {
        auto lane = std::make_unique<CountedLane>();
        lane->id = made++;
        return lane;
    };
}

}  // namespace

TEST_CASE("the lane pool makes its first lane at once and reuses a lane given back", "[lanes]") {
    std::atomic<int> made{0};
    LanePool<CountedLane> pool(numbered(made));
    CHECK(made == 1);
    CHECK(pool.first().id == 0);
    for (int i = 0; i < 3; ++i) {
        auto lane = pool.take();
        CHECK(lane->id == 0);  // one delivery at a time: always the first lane
    }
    CHECK(pool.size() == 1);
    {
        auto a = pool.take();
        auto b = pool.take();  // the first is held: a second lane
        CHECK(a->id == 0);
        CHECK(b->id == 1);
    }
    auto again = pool.take();
    CHECK(made == 2);  // both back: none is made
    CHECK(pool.size() == 2);
}

TEST_CASE("concurrent deliveries each hold a lane of their own, and the pool grows no further",
          "[lanes]") {
    constexpr int kThreads = 4, kRounds = 50;
    std::atomic<int> made{0};
    LanePool<CountedLane> pool(numbered(made));
    std::atomic<int> shared_lanes{0};
    std::mutex mutex;
    std::set<int> seen;
    std::barrier together(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            for (int round = 0; round < kRounds; ++round) {
                auto lane = pool.take();
                if (++lane->holders != 1) ++shared_lanes;
                {
                    std::lock_guard lock(mutex);
                    seen.insert(lane->id);
                }
                // All four hold a lane at once in the first round: four lanes exist.
                if (round == 0) together.arrive_and_wait();
                std::this_thread::yield();
                --lane->holders;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(shared_lanes == 0);
    CHECK(made == kThreads);  // never more lanes than deliveries at once
    CHECK(pool.size() == kThreads);
    CHECK(seen.size() == static_cast<size_t>(kThreads));
}

TEST_CASE("a lane that cannot be made fails that delivery and leaves the pool as it was",
          "[lanes]") {
    int calls = 0;
    LanePool<CountedLane> pool([&calls]() -> std::unique_ptr<CountedLane> {
        if (++calls > 1) throw std::runtime_error("the state store cannot be opened");
        return std::make_unique<CountedLane>();
    });
    auto held = pool.take();
    CHECK_THROWS_WITH(pool.take(), "the state store cannot be opened");
    CHECK(pool.size() == 1);
}
