// Issue 11 item 6: a reload is all or nothing. When any part of the new configuration cannot be
// built (here the new scheduler, which records its hooks in a spool another process has locked;
// or a sink whose create fails), the running routes, sinks and scheduled hooks go on as before.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <csignal>

using namespace tg::test;

namespace {

// hello_sink with its heartbeat every minute, and every alert to it.
std::string hello_routes(const std::string& sink, const std::string& path,
                         const std::string& extra_sink = "") {
    return "sinks:\n  " + sink + ":\n    plugin: " + std::string(TG_TEST_HELLO_SINK) +
           "\n    config:\n      path: " + path +
           "\n    hooks:\n      heartbeat:\n        schedule: \"* * * * *\"\n" + extra_sink +
           "route:\n  sink: " + sink + "\n";
}

size_t heartbeats(const std::string& path) {
    size_t n = 0;
    for (const auto& line : read_lines(path))
        n += line.find("\"hook\":\"heartbeat\"") != std::string::npos;
    return n;
}

size_t alerts(const std::string& path) {
    size_t n = 0;
    for (const auto& line : read_lines(path))
        n += line.find("idempotency_key") != std::string::npos;
    return n;
}

// Holds the spool's write lock, as a stuck writer would.
class SpoolLock {
  public:
    explicit SpoolLock(const std::string& path) {
        REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    ~SpoolLock() {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(db_);
    }

  private:
    sqlite3* db_ = nullptr;
};

const std::string alert_body = R"({"alerts":[{"labels":{"alertname":"reload","instance":"db1"}}]})";

}  // namespace

TEST_CASE(
    "issue 11: a reload whose new scheduler cannot be built keeps hooks running and the old "
    "routes delivering") {
    TempDir dir;
    write_file(dir / "routes.yaml", hello_routes("old", dir / "old.jsonl"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());

    write_file(dir / "routes.yaml", hello_routes("new", dir / "new.jsonl"));
    {
        // SIGHUP: the reload waits out the store's busy timeout, longer than an HTTP client's.
        SpoolLock lock(dir / "state/spool.sqlite3");
        host.send_signal(SIGHUP);
        CHECK(eventually(
            [&] {
                return host.log().find("reload refused, the running configuration stays") !=
                       std::string::npos;
            },
            std::chrono::seconds(30)));
    }
    // The old scheduler still runs: the heartbeat fires at the next minute.
    CHECK(eventually([&] { return heartbeats(dir / "old.jsonl") >= 1; }, std::chrono::seconds(75)));
    // The old routes still deliver, to the old sink.
    REQUIRE(http_post(host.port(), "/webhook", alert_body).status == 200);
    CHECK(eventually([&] { return alerts(dir / "old.jsonl") == 1; }));
    CHECK(alerts(dir / "new.jsonl") == 0);
    CHECK(heartbeats(dir / "new.jsonl") == 0);
    CHECK(host.terminate() == 0);
}

TEST_CASE(
    "issue 11: a reload with a sink whose create fails keeps hooks running and the old "
    "routes delivering") {
    TempDir dir;
    write_file(dir / "routes.yaml", hello_routes("old", dir / "old.jsonl"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());

    // A second sink whose file cannot be opened: hello_sink's create refuses it.
    write_file(dir / "routes.yaml",
               hello_routes("old", dir / "old.jsonl",
                            "  broken:\n    plugin: " + std::string(TG_TEST_HELLO_SINK) +
                                "\n    config:\n      path: " + (dir / "missing/x.jsonl") + "\n"));
    const auto refused = http_post(host.port(), "/-/reload", "");
    CHECK(refused.status == 400);
    CHECK(refused.body.find("cannot be opened") != std::string::npos);

    CHECK(eventually([&] { return heartbeats(dir / "old.jsonl") >= 1; }, std::chrono::seconds(75)));
    REQUIRE(http_post(host.port(), "/webhook", alert_body).status == 200);
    CHECK(eventually([&] { return alerts(dir / "old.jsonl") == 1; }));
    CHECK(host.terminate() == 0);
}
