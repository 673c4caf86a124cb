// When the spool's WAL is copied back, and when the copy holds off the writers
// (wal_checkpointer.hpp), on a database of its own: the writer's commits here stand for the
// intake's, under the spool's writers' lock (sqlite_writers.hpp).
#include "spool/wal_checkpointer.hpp"
#include "spool/sqlite_writers.hpp"
#include "spool/store_session.hpp"
#include "spool/store_url.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace tg::host;
using namespace Poco::Data::Keywords;

namespace {

constexpr int held_frames = 200;
constexpr uintmax_t page = 4096;

uintmax_t wal_bytes(const std::string& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path + "-wal", error);
    return error ? 0 : size;
}

struct CheckpointedDatabase {
    explicit CheckpointedDatabase(const std::string& path)
        : writer(open_store_session(StoreUrl::sqlite(path), "FULL")) {
        writer << "CREATE TABLE rows (body BLOB)", now;
        checkpointer.take_over(writer);
        checkpointer.start(
            open_store_session(StoreUrl::sqlite(path), "NORMAL"),
            [this] {
                ++writers_held;
                return writers.first();
            },
            held_frames);
    }
    // One commit of three to five frames: a row's leaf page, the two overflow pages of its body,
    // at times a parent page.
    void commit() {
        std::unique_lock writing = writers.first();
        const std::string body(2 * page, 'x');
        writer << "INSERT INTO rows (body) VALUES (?)", useRef(body), now;
    }

    Poco::Data::Session writer;
    SqliteWriters writers;
    std::atomic<int> writers_held{0};
    WalCheckpointer checkpointer;  // last: its thread ends first
};

}  // namespace

TEST_CASE(
    "wal checkpointer: commits with pauses between them keep the WAL a few pages long and "
    "never hold off the writers",
    "[sqlite]") {
    tg::test::TempDir dir;
    const std::string path = dir / "wal.sqlite3";
    CheckpointedDatabase database(path);
    for (int i = 0; i < 60; ++i) {
        database.commit();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Without a copy after each commit, 60 commits of three frames: 720 KiB, under the 1000
    // frames at which SQLite's own checkpoint would start.
    INFO("WAL " << wal_bytes(path) << " B");
    CHECK(wal_bytes(path) < 16 * page);
    CHECK(database.writers_held == 0);
}

TEST_CASE(
    "wal checkpointer: a stream of commits with no pause keeps the WAL short, holding off "
    "the writers only once it has grown to the bound",
    "[sqlite]") {
    tg::test::TempDir dir;
    const std::string path = dir / "wal.sqlite3";
    CheckpointedDatabase database(path);
    constexpr int commits = 2000;  // 6000 to 10000 frames: 30 to 50 times the bound
    uintmax_t longest = 0;
    for (int i = 0; i < commits; ++i) {
        database.commit();
        longest = std::max(longest, wal_bytes(path));
    }
    INFO("longest WAL " << longest << " B, writers held " << database.writers_held << " times");
    // Without checkpoints, 24 MiB.
    CHECK(longest < 2 * held_frames * (page + 24));
    // At most once per held_frames of the frames committed, not once per pass (a pass follows
    // about every other commit here).
    CHECK(database.writers_held <= 5 * commits / held_frames + 1);
}
