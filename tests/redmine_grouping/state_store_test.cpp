#include "state_store.hpp"
#include "state_store_cases.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace tg::redmine;

namespace {
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() /
               ("rg_state_" + std::to_string(::getpid()) + "_" +
                std::to_string(reinterpret_cast<uintptr_t>(this)));
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

void on_a_fresh_store(void (*check)(StateStore&)) {
    TempDir dir;
    StateStore store((dir.path / "s.sqlite3").string());
    check(store);
}
}  // namespace

TEST_CASE("issues, Roots and episodes round-trip", "[state]") {
    on_a_fresh_store(cases::issues_roots_and_episodes_round_trip);
}

TEST_CASE("idempotency keys and create intents", "[state]") {
    on_a_fresh_store(cases::idempotency_keys_and_create_intents);
}

TEST_CASE("a dry run leaves nothing behind", "[state]") {
    on_a_fresh_store(cases::a_dry_run_leaves_nothing_behind);
}

TEST_CASE("a state file of a newer schema is refused, naming both versions", "[state]") {
    TempDir dir;
    const auto path = (dir.path / "s.sqlite3").string();
    { StateStore s(path); }
    {
        Poco::Data::Session session("SQLite", path);
        session << "UPDATE meta SET value = '99' WHERE name = 'schema_version'",
            Poco::Data::Keywords::now;
    }
    try {
        StateStore again(path);
        FAIL("a newer state was opened");
    } catch (const std::exception& e) {
        CHECK_THAT(e.what(), Catch::Contains("schema version 99") && Catch::Contains("(1)"));
    }
}

TEST_CASE("the embedded store takes a lock it holds again", "[state]") {
    TempDir dir;
    StateStore s((dir.path / "s.sqlite3").string());
    auto first = s.lock("alertname\nA");
    auto second = s.lock("alertname\nA");  // a hook holding a group applies one of its alerts
    s.put_issue("k", "A", {1, true, 0, 0, 0});
    CHECK(s.issue("k"));
}

TEST_CASE("two lanes' stores on one file take turns on a named lock", "[state][lanes]") {
    TempDir dir;
    const auto path = (dir.path / "s.sqlite3").string();
    auto locks = std::make_shared<LockTable>();
    StateStore first(StateLocation::sqlite(path), locks),
        second(StateLocation::sqlite(path), locks);
    std::atomic<bool> first_done{false}, second_held{false}, second_after_first{false},
        second_read_it{false};
    std::optional<StateLock> held(first.lock("group\nDiskFull"));
    std::thread other([&] {
        const auto lock = second.lock("group\nDiskFull");
        second_after_first = first_done.load();
        second_held = true;
        // What the first wrote under the lock is there for the second.
        second_read_it = second.issue("DiskFull\nweb1").has_value();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(second_held);
    first.put_issue("DiskFull\nweb1", "DiskFull", {1, true, 0, 0, 0});
    first_done = true;
    held.reset();
    other.join();
    CHECK(second_held);
    CHECK(second_after_first);
    CHECK(second_read_it);
    // Another name does not wait for a held one.
    const auto group = first.lock("group\nDiskFull");
    const auto rebuild = second.lock("rebuild");
}

TEST_CASE("lanes writing to one state file at once all succeed", "[state][lanes]") {
    TempDir dir;
    const auto path = (dir.path / "s.sqlite3").string();
    auto locks = std::make_shared<LockTable>();
    StateStore seed(StateLocation::sqlite(path), locks);
    constexpr int kLanes = 4, kWrites = 60;
    std::mutex mutex;
    std::vector<std::string> failures;  // Catch's assertions stay on the test's thread
    const auto failed = [&](const std::exception& e) {
        std::lock_guard lock(mutex);
        failures.push_back(e.what());
    };
    std::vector<std::thread> lanes;
    for (int lane = 0; lane < kLanes; ++lane)
        lanes.emplace_back([&, lane] {
            try {
                // A lane made while the others write: its schema transaction takes its turn.
                StateStore store(StateLocation::sqlite(path), locks);
                const std::string alertname = "Lane" + std::to_string(lane);
                for (int i = 0; i < kWrites; ++i) {
                    const std::string key = alertname + "\nhost" + std::to_string(i);
                    store.put_issue(key, alertname, {1000 * lane + i, true, 0, 0, 0});
                    store.mark_applied(key, i);
                }
            } catch (const std::exception& e) {
                failed(e);
            }
        });
    // A transaction that reads, then writes, while the others write: begun IMMEDIATE it waits
    // its turn, where a deferred one would fail at its first write (SQLITE_BUSY, no wait).
    lanes.emplace_back([&] {
        try {
            StateStore store(StateLocation::sqlite(path), locks);
            for (int i = 0; i < 20; ++i) {
                store.begin_dry_run();
                if (store.issue("Dry\nhost")) throw std::logic_error("a dry run was kept");
                store.put_issue("Dry\nhost", "Dry", {99, true, 0, 0, 0});
                store.end_dry_run();
            }
        } catch (const std::exception& e) {
            failed(e);
        }
    });
    for (auto& t : lanes) t.join();
    CHECK(failures == std::vector<std::string>{});
    CHECK_FALSE(seed.issue("Dry\nhost"));
    for (int lane = 0; lane < kLanes; ++lane)
        CHECK(seed.open_hosts("Lane" + std::to_string(lane)).size() == kWrites);
}

TEST_CASE("a deleted state file is recreated empty", "[state]") {
    TempDir dir;
    const auto path = dir.path / "s.sqlite3";
    StateStore s(path.string());
    s.put_issue("k", "A", {1, true, 0, 0, 0});
    s.mark_rebuilt(1);
    std::filesystem::remove(path);
    s.ensure_open();
    CHECK(std::filesystem::exists(path));
    CHECK_FALSE(s.issue("k"));
    CHECK(s.needs_rebuild());
}
