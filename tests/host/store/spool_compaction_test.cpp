// The SQLite spool gives its space back once delivered: the file and its WAL shrink after a
// backlog drains, and a drained file left large (by an earlier version, or a host stopped before
// it compacted) shrinks when opened. PostgreSQL needs none of this (autovacuum).
#include "spool/spool.hpp"
#include "test_support.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>

#include <filesystem>

using namespace tg::host;
using namespace Poco::Data::Keywords;

namespace {

// The spool's bytes on disk: the database and its WAL.
uintmax_t spool_bytes(const std::string& path) {
    uintmax_t total = 0;
    for (const char* suffix : {"", "-wal"}) {
        std::error_code error;
        const auto size = std::filesystem::file_size(path + suffix, error);
        if (!error) total += size;
    }
    return total;
}

void fill(Spool& spool, int count, size_t payload_bytes) {
    std::vector<NewDelivery> batch;
    for (int i = 0; i < count; ++i)
        batch.push_back({"s", "route", std::string(payload_bytes, 'x') + std::to_string(i),
                         "key-" + std::to_string(i), ""});
    spool.commit(std::move(batch));
}

int drain(Spool& spool) {
    int delivered = 0;
    for (;;) {
        const Claim claim = spool.claim("s");
        if (!claim.delivery) return delivered;
        spool.complete(claim.delivery->id);
        ++delivered;
    }
}

int pragma(const std::string& path, const std::string& name) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", path);
    int value = -1;
    session << "PRAGMA " + name, into(value), now;
    return value;
}

}  // namespace

TEST_CASE("spool: a drained SQLite spool shrinks back", "[sqlite]") {
    tg::test::TempDir dir;
    const std::string path = dir / "spool.sqlite3";
    Spool spool(path);
    const uintmax_t empty = spool_bytes(path);

    fill(spool, 4000, 4000);  // ~16 MB of deliveries waiting
    const uintmax_t peak = spool_bytes(path);
    REQUIRE(peak > 16'000'000);

    REQUIRE(drain(spool) == 4000);
    CHECK(spool.stats().depth == 0);
    const uintmax_t drained = spool_bytes(path);
    INFO("empty " << empty << " B, peak " << peak << " B, drained " << drained << " B");
    // What a drained spool may keep: under compact_min_free_pages (1 MiB) of free pages.
    CHECK(drained < empty + 2 * 1024 * 1024);
    CHECK(pragma(path, "freelist_count") < 256);

    // And it keeps working afterwards.
    fill(spool, 3, 100);
    CHECK(drain(spool) == 3);
}

TEST_CASE("spool: a drained spool file left large shrinks when opened, pending ones do not",
          "[sqlite]") {
    tg::test::TempDir dir;
    const std::string path = dir / "spool.sqlite3";
    { Spool spool(path); }
    auto bloat = [&] {  // rows deleted behind the spool's back, as a version without compaction
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session session("SQLite", path);
        session << "INSERT INTO deliveries (sink, route, payload, idempotency_key, created_ms,"
                   " next_ms) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                   " WHERE i < 3000) SELECT 'filler', 'r', printf('%.4000c', 'x'), 'k' || i, 0, 0"
                   " FROM n",
            now;
        session << "DELETE FROM deliveries WHERE sink = 'filler'", now;
        session << "PRAGMA wal_checkpoint(TRUNCATE)", now;
    };
    bloat();
    const uintmax_t bloated = spool_bytes(path);
    REQUIRE(bloated > 12'000'000);
    REQUIRE(pragma(path, "freelist_count") > 2000);

    {
        Spool spool(path);  // drained: compacted at once
        CHECK(spool_bytes(path) < 1'000'000);
        fill(spool, 2, 100);
    }
    bloat();
    {
        Spool spool(path);  // two deliveries wait: left alone, and they are still there
        CHECK(spool_bytes(path) > 12'000'000);
        CHECK(spool.stats().depth == 2);
        CHECK(drain(spool) == 2);  // and once they are delivered, it shrinks
        CHECK(spool_bytes(path) < 1'000'000);
    }
}
