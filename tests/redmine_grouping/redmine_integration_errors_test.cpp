// Integration tests against a real Redmine: its refusals (dropped with its text, never the API
// key) and outages (retried).
#include "redmine_integration_test_support.hpp"
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

using namespace rgtest;
using namespace rgtest::integration;

TEST_CASE("errors: Redmine's refusals are dropped with its text, outages are retried",
          "[redmine]") {
    Admin admin;
    TempDir dir;
    Host host;

    SECTION("422 from Redmine (no such project) is a Drop with Redmine's message, never the key") {
        SinkHandle sink(host, sink_config(unique_ident("missing")), dir.path.string());
        CHECK(sink.deliver(fixture(kA), "a") == TG_DROP);
        INFO(sink.error());
        CHECK(sink.error().find("HTTP 4") != std::string::npos);
        CHECK(sink.error().find(redmine_env().api_key) == std::string::npos);
    }
    SECTION("a status change Redmine silently ignores is reported, not pretended") {
        const std::string project = admin.create_project("ignored");
        SinkHandle sink(host, sink_config(project, R"("close_on_resolve":true,"status_done":9999)"),
                        dir.path.string());
        deliver_ok(sink, fixture("prom_e2e_up_eq_0_TargetDown_firing.json"), "f");
        CHECK(sink.deliver(fixture("prom_e2e_up_eq_0_TargetDown_resolved.json"), "r") == TG_DROP);
        INFO(sink.error());
        CHECK(sink.error().find("Redmine kept issue") != std::string::npos);
        CHECK(host.logged("Redmine kept issue"));
    }
    SECTION("one failing alert does not stop the others; the delivery then fails") {
        const std::string project = admin.create_project("partial");
        SinkHandle sink(host, sink_config(project, R"("close_on_resolve":true,"status_done":9999)"),
                        dir.path.string());
        deliver_ok(sink, fixture("prom_e2e_up_eq_0_TargetDown_firing.json"), "f");
        const std::string both =
            R"({"alerts":[{"status":"resolved","fingerprint":"71f04b32d7dfa8f6","labels":{"alertname":"TargetDown","instance":"127.0.0.1:19097"},"startsAt":"2026-11-27T07:57:51.069Z","endsAt":"2026-11-27T07:57:55.069Z"},)"
            R"({"status":"firing","fingerprint":"x1","labels":{"alertname":"DiskFull","instance":"db01"},"startsAt":"2026-11-27T07:58:00Z"}]})";
        CHECK(sink.deliver(both, "both") == TG_DROP);
        INFO(sink.error());
        CHECK(sink.error().find("1 of 2 alert(s) failed") != std::string::npos);
        admin.find(project, "[Alert] DiskFull (db01)");  // applied all the same

        // An unreadable alert is dropped, the readable one still applied.
        const std::string mixed =
            R"({"alerts":[{"labels":{"instance":"x"}},{"labels":{"alertname":"Ok","instance":"y"}}]})";
        CHECK(sink.deliver(mixed, "mixed") == TG_DROP);
        CHECK(sink.error().find("no alertname label") != std::string::npos);
        admin.find(project, "[Alert] Ok (y)");
    }
    SECTION("a status name is resolved through Redmine") {
        const std::string project = admin.create_project("byname");
        SinkHandle sink(host,
                        sink_config(project, R"("close_on_resolve":true,"status_done":"終了")"),
                        dir.path.string());
        deliver_ok(sink, fixture("prom_e2e_up_eq_0_TargetDown_firing.json"), "f");
        deliver_ok(sink, fixture("prom_e2e_up_eq_0_TargetDown_resolved.json"), "r");
        CHECK(admin.status(id_of(admin.find(project, "[Alert] TargetDown (127.0.0.1:19097)"))) ==
              redmine_env().status_done);
    }
    SECTION("an unreachable Redmine is retried later") {
        host.env["REDMINE_URL"] = "http://127.0.0.1:9";
        SinkHandle sink(host, sink_config("alerts", R"("timeout":"3s")"), dir.path.string());
        CHECK(sink.deliver(fixture(kA), "a") == TG_RETRY_LATER);
        INFO(sink.error());
        CHECK(sink.error().find(redmine_env().api_key) == std::string::npos);
    }
    SECTION("a wrong API key is a Drop") {
        host.env["REDMINE_API_KEY"] = "0000000000000000000000000000000000000000";
        SinkHandle sink(host, sink_config(admin.create_project("badkey")), dir.path.string());
        CHECK(sink.deliver(fixture(kA), "a") == TG_DROP);
        INFO(sink.error());
        CHECK(sink.error().find("0000000000") == std::string::npos);
    }
}
