// Issue 11 (low): deliveries spooled for a sink that the configuration no longer has, after a
// restart with a new routing file or a reload, go to the dead letters with the reason
// "sink removed" and are logged, instead of waiting for ever and keeping the spool from compacting.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>

using namespace tg::test;

namespace {

// `sink` receives every alert; `gone` (a log_sink writing to /dev/full: every attempt fails and
// is retried) is configured too when `with_gone`.
std::string routes(const std::string& sink, const std::string& path, bool with_gone) {
    std::string text =
        "sinks:\n  " + sink + ":\n    plugin: log_sink\n    config:\n      path: " + path + "\n";
    if (with_gone) text += "  gone:\n    plugin: log_sink\n    config:\n      path: /dev/full\n";
    return text + "route:\n  sink: " + (with_gone ? "gone" : sink) + "\n";
}

// The reasons of the dead letters of `sink`, read from the spool file.
std::vector<std::string> dead_letter_reasons(const std::string& spool, const std::string& sink) {
    sqlite3* db = nullptr;
    std::vector<std::string> reasons;
    REQUIRE(sqlite3_open_v2(spool.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT reason FROM dead_letters WHERE sink = ?", -1, &statement,
                               nullptr) == SQLITE_OK);
    sqlite3_bind_text(statement, 1, sink.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(statement) == SQLITE_ROW)
        reasons.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return reasons;
}

const std::string alert_body =
    R"({"alerts":[{"labels":{"alertname":"removed","instance":"db1"}}]})";

bool retried(const HostProcess& host) {
    return host.log().find("delivery will be retried") != std::string::npos;
}

}  // namespace

TEST_CASE("issue 11: spool rows of a sink removed by a restart are dead-lettered as sink removed") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes("kept", dir / "kept.jsonl", true));
    {
        HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                         dir / "first.log");
        REQUIRE(host.wait_ready());
        REQUIRE(http_post(host.port(), "/webhook", alert_body).status == 200);
        REQUIRE(eventually([&] { return retried(host); }));
        REQUIRE(host.terminate() == 0);
    }
    write_file(dir / "routes.yaml", routes("kept", dir / "kept.jsonl", false));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "second.log");
    REQUIRE(host.wait_ready());
    const auto page = http_get(host.port(), "/metrics").body;
    CHECK(metric_value(page, "tickets_grouping_spool_depth") == 0);
    CHECK(metric_value(page, "tickets_grouping_dead_letters") == 1);
    CHECK(host.log().find("deliveries of a sink no longer configured moved to the dead letters") !=
          std::string::npos);
    CHECK(dead_letter_reasons(dir / "state/spool.sqlite3", "gone") ==
          std::vector<std::string>{"sink removed"});
    CHECK(host.terminate() == 0);
}

TEST_CASE("issue 11: spool rows of a sink removed by a reload are dead-lettered as sink removed") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes("kept", dir / "kept.jsonl", true));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    REQUIRE(http_post(host.port(), "/webhook", alert_body).status == 200);
    REQUIRE(eventually([&] { return retried(host); }));

    write_file(dir / "routes.yaml", routes("kept", dir / "kept.jsonl", false));
    REQUIRE(http_post(host.port(), "/-/reload", "").status == 200);
    CHECK(eventually([&] {
        const auto page = http_get(host.port(), "/metrics").body;
        return metric_value(page, "tickets_grouping_spool_depth") == 0 &&
               metric_value(page, "tickets_grouping_dead_letters") == 1;
    }));
    CHECK(host.log().find("deliveries of a sink no longer configured moved to the dead letters") !=
          std::string::npos);
    CHECK(dead_letter_reasons(dir / "state/spool.sqlite3", "gone") ==
          std::vector<std::string>{"sink removed"});
    // The kept sink still delivers.
    REQUIRE(http_post(host.port(), "/webhook", alert_body).status == 200);
    CHECK(eventually([&] { return read_lines(dir / "kept.jsonl").size() == 1; }));
    CHECK(host.terminate() == 0);
}
