// The SQLite spool's WAL stays short although neither of its writing connections checkpoints in
// its own commits any more (wal_checkpointer.hpp): a thread of the spool's checkpoints it once it
// is due, whether the intake's commits or the dispatcher's (a backlog draining while no webhook
// comes) made it long.
#include "spool/spool.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace tg::host;

namespace {

uintmax_t wal_bytes(const std::string& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path + "-wal", error);
    return error ? 0 : size;
}

// The WAL's length from which its checkpoint holds off the writers, shorter than the host's so
// that the commits below reach it many times over.
constexpr int held_frames = 1000;

// Twice that length in 4 KiB pages; without any checkpoint, the commits below leave a WAL more
// than four times this long (133 MB and 127 MB).
constexpr uintmax_t short_wal = 2 * held_frames * 4096;

SpoolOptions short_wal_options() {
    SpoolOptions options;
    options.wal_held_frames = held_frames;
    return options;
}

}  // namespace

TEST_CASE("spool: the intake's commits keep the WAL short", "[sqlite]") {
    tg::test::TempDir dir;
    const std::string path = dir / "spool.sqlite3";
    Spool spool(StoreUrl::sqlite(path), short_wal_options());
    for (int i = 0; i < 6000; ++i)
        spool.commit(
            {{"s", "route", "payload " + std::to_string(i), "key-" + std::to_string(i), ""}});
    INFO("WAL " << wal_bytes(path) << " B");
    CHECK(wal_bytes(path) < short_wal);
    CHECK(spool.stats().depth == 6000);
}

TEST_CASE("spool: a backlog draining with no webhook coming keeps the WAL short", "[sqlite]") {
    tg::test::TempDir dir;
    const std::string path = dir / "spool.sqlite3";
    Spool spool(StoreUrl::sqlite(path), short_wal_options());
    std::vector<NewDelivery> backlog;
    for (int i = 0; i < 6000; ++i)
        backlog.push_back(
            {"s", "route", "payload " + std::to_string(i), "key-" + std::to_string(i), ""});
    spool.commit(std::move(backlog));
    const uintmax_t after_intake = wal_bytes(path);
    // Short of the end: a drained spool may compact itself, which empties the WAL anyway.
    for (int i = 0; i < 5900; ++i) {
        const Claim claim = spool.claim("s");
        REQUIRE(claim.delivery);
        spool.complete(claim.delivery->id);
    }
    INFO("WAL after the intake " << after_intake << " B, after the claims " << wal_bytes(path)
                                 << " B");
    CHECK(wal_bytes(path) < std::max(after_intake, short_wal));
    CHECK(spool.stats().depth == 100);
}
