#include "state_store.hpp"
#include "state_store_cases.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>

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

TEST_CASE("the embedded store's locks hold nothing", "[state]") {
    TempDir dir;
    StateStore s((dir.path / "s.sqlite3").string());
    auto first = s.lock("alertname\nA");
    auto second = s.lock("alertname\nA");  // one process: the host's one call at a time
    s.put_issue("k", "A", {1, true, 0, 0, 0});
    CHECK(s.issue("k"));
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
