// The spool's writers' lock (sqlite_writers.hpp): a writer that goes `first` writes before the
// writers that ask after it, however quickly they ask again.
#include "spool/sqlite_writers.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace tg::host;

namespace {

void let_it_queue() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

}  // namespace

TEST_CASE("sqlite writers: a writer going first writes before those that ask after it") {
    SqliteWriters writers;
    std::mutex order_mutex;
    std::string order;
    auto wrote = [&](char who) {
        std::lock_guard lock(order_mutex);
        order += who;
    };
    std::unique_lock holding = writers.in_turn();
    std::thread first([&] {
        auto lock = writers.first();
        wrote('F');
    });
    let_it_queue();  // the first one waits for the lock now
    std::thread later([&] {
        for (int i = 0; i < 3; ++i) {
            auto lock = writers.in_turn();
            wrote('t');
        }
    });
    let_it_queue();  // and the later one behind it
    holding.unlock();
    first.join();
    later.join();
    CHECK(order == "Fttt");
}

TEST_CASE("sqlite writers: first and in turn never write at once") {
    SqliteWriters writers;
    int inside = 0;
    int most_inside = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                auto lock = t % 2 ? writers.first() : writers.in_turn();
                most_inside = std::max(most_inside, ++inside);
                --inside;
            }
        });
    for (auto& thread : threads) thread.join();
    CHECK(most_inside == 1);
}
