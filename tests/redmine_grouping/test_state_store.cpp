#include "state_store.hpp"

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
}  // namespace

TEST_CASE("issues, Roots and episodes round-trip", "[state]") {
    TempDir dir;
    StateStore s((dir.path / "s.sqlite3").string());
    CHECK(s.needs_rebuild());
    s.mark_rebuilt(1);
    CHECK_FALSE(s.needs_rebuild());

    CHECK_FALSE(s.issue("k1"));
    s.put_issue("k1", "HighCPU", {10, true, 0, 0, 100});
    s.put_issue("k2", "HighCPU", {11, true, 50, 0, 100});
    s.put_issue("k3", "Other", {12, true, 0, 0, 100});
    s.put_issue("k4", "HighCPU", {13, false, 0, 99, 100});
    auto i = s.issue("k2");
    REQUIRE(i);
    CHECK(i->id == 11);
    CHECK(i->parent_id == 50);
    auto hosts = s.open_hosts("HighCPU");
    REQUIRE(hosts.size() == 2);
    CHECK(hosts[0].key == "k1");
    CHECK(hosts[1].parent_id == 50);

    s.set_parent(10, 50);
    s.set_open(11, false, 1234);
    CHECK(s.issue("k1")->parent_id == 50);
    CHECK_FALSE(s.issue("k2")->open);
    CHECK(s.issue("k2")->closed_at == 1234);
    s.put_issue("k5", "HighCPU", {14, true, 77, 0, 100});
    s.close_children(77, 4321);
    CHECK_FALSE(s.issue("k5")->open);
    CHECK(s.issue("k5")->closed_at == 4321);
    CHECK(s.issue("k1")->open);
    s.forget_issue("k3");
    CHECK_FALSE(s.issue("k3"));

    s.put_root("HighCPU", {50, true});
    CHECK(s.root("HighCPU")->id == 50);
    s.set_root_open(50, false);
    CHECK_FALSE(s.root("HighCPU")->open);

    s.put_episode("k1", {"fp", "123", true});
    s.put_episode("k1", {"fp", "123", false});
    CHECK(*s.episode("k1") == Episode{"fp", "123", false});

    s.clear();
    CHECK_FALSE(s.issue("k1"));
    CHECK_FALSE(s.root("HighCPU"));
    CHECK(s.needs_rebuild());
}

TEST_CASE("idempotency keys and create intents", "[state]") {
    TempDir dir;
    StateStore s((dir.path / "s.sqlite3").string());
    CHECK_FALSE(s.applied("key"));
    s.mark_applied("key", 100);
    s.mark_applied("key", 200);
    CHECK(s.applied("key"));
    s.prune_applied(150);
    CHECK_FALSE(s.applied("key"));

    s.put_intent("[Alert] x", 5);
    CHECK(*s.intent("[Alert] x") == 5);
    s.clear_intent("[Alert] x");
    CHECK_FALSE(s.intent("[Alert] x"));
}

TEST_CASE("a dry run's savepoint leaves nothing behind", "[state]") {
    TempDir dir;
    StateStore s((dir.path / "s.sqlite3").string());
    s.put_issue("kept", "A", {1, true, 0, 0, 0});
    s.savepoint("dry_run");
    s.put_issue("gone", "A", {2, true, 0, 0, 0});
    s.mark_rebuilt(5);
    s.rollback_to("dry_run");
    s.release("dry_run");
    CHECK(s.issue("kept"));
    CHECK_FALSE(s.issue("gone"));
    CHECK(s.needs_rebuild());
}

TEST_CASE("a deleted state file is recreated empty", "[state]") {
    TempDir dir;
    const auto path = dir.path / "s.sqlite3";
    StateStore s(path.string());
    s.put_issue("k", "A", {1, true, 0, 0, 0});
    s.mark_rebuilt(1);
    std::filesystem::remove(path);
    s.reopen_if_deleted();
    CHECK(std::filesystem::exists(path));
    CHECK_FALSE(s.issue("k"));
    CHECK(s.needs_rebuild());
}
