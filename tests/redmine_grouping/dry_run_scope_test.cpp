// DryRunScope: a delivery's dry run is off again on every way out of it, a throw included, and
// what it changed in the state is undone; no request is made here (the client only logs writes).
#include "dry_run_scope.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <stdexcept>

using namespace tg::redmine;

namespace {

struct Fixture {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("rg_dry_run_" + std::to_string(::getpid()));
    std::vector<std::string> lines;
    tg_host_services services{};
    Fixture() {
        std::filesystem::create_directories(dir);
        services.struct_size = sizeof services;
        services.host_ctx = this;
        services.log = [](void* self, tg_log_level, tg_str message) {
            static_cast<Fixture*>(self)->lines.emplace_back(message.data, message.size);
        };
    }
    ~Fixture() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE(
    "a dry run is off again after its scope, also when the delivery threw, and its state "
    "changes are undone",
    "[dry_run]") {
    Fixture f;
    const tg::HostServices host(&f.services);
    RedmineClient client(ClientOptions{"http://127.0.0.1:9", "key", "", true, {}});
    StateStore store((f.dir / "state.sqlite3").string());
    store.put_root("HighCPU", {7, true});
    const auto changes_undone = [&] {
        REQUIRE(store.root("HighCPU"));
        CHECK(store.root("HighCPU")->id == 7);
        CHECK_FALSE(store.root("DiskFull"));
    };

    SECTION("ended by end()") {
        DryRunScope dry_run(true, client, store, host);
        CHECK(client.dry_run());
        store.put_root("HighCPU", {8, true});
        store.put_root("DiskFull", {9, true});
        dry_run.end();
        CHECK_FALSE(client.dry_run());
        changes_undone();
    }
    SECTION("left by an exception") {
        try {
            DryRunScope dry_run(true, client, store, host);
            store.put_root("HighCPU", {8, true});
            store.put_root("DiskFull", {9, true});
            throw std::runtime_error("Redmine answered garbage");
        } catch (const std::runtime_error&) {
        }
        CHECK_FALSE(client.dry_run());
        CHECK(f.lines.empty());  // nothing went wrong undoing it
        changes_undone();
    }
    SECTION("a real delivery's scope changes nothing") {
        DryRunScope real(false, client, store, host);
        CHECK_FALSE(client.dry_run());
        store.put_root("DiskFull", {9, true});
        real.end();
        CHECK(store.root("DiskFull"));
    }
}
