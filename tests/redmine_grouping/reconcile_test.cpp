// The reconcile hook's decisions on the fake tracker, with an Alertmanager list the test writes
// and a clock it moves: a lost resolve after reconcile_grace, a silenced alert left alone, a
// firing alert routed here made a ticket, and nothing changed when Alertmanager does not answer.
// The same against a real Alertmanager and Redmine: tests/redmine_grouping/host_reconcile_test.cpp.
#include "reconcile.hpp"
#include "executor_test_support.hpp"

using namespace executor_test;
using Catch::Matchers::Contains;

namespace {

// Alertmanager as the test says it is now.
struct FakeAlertmanager final : AlertSource {
    std::vector<ListedAlert> alerts;
    bool reachable = true;
    int asked = 0;
    AlertmanagerAnswer list_alerts() override {
        ++asked;
        AlertmanagerAnswer answer;
        if (!reachable) {
            answer.failures.push_back("http://am.invalid:9093: Connection refused");
            return answer;
        }
        answer.answered = 1;
        answer.alerts = alerts;
        return answer;
    }
    // `host`'s HighCPU as the API lists it: startsAt to the millisecond, as the API gives it.
    void fire(const std::string& host, int64_t starts = 0, bool suppressed = false) {
        const auto n = decode_notification(R"({"alerts":[)" + alert(host, starts) + "]}");
        ListedAlert listed{n.alerts.front(), suppressed};
        listed.alert.ends_at.reset();
        alerts.push_back(listed);
    }
};

struct ReconcileSink : Sink {
    FakeAlertmanager alertmanager;
    explicit ReconcileSink(Config c = reconcile_config()) : Sink(std::move(c)) {}
    static Config reconcile_config() {
        Config c = test_config();
        c.alertmanager.urls = {"http://am.invalid:9093"};
        c.reconcile_grace = std::chrono::minutes(20);
        return c;
    }
    ReconcileResult reconcile(bool dry_run = false) {
        return Reconcile{config, store, executor, alertmanager, host}.run(dry_run, clock.now());
    }
};

}  // namespace

TEST_CASE(
    "reconcile: a firing ticket Alertmanager no longer lists is resolved after the grace, "
    "once",
    "[reconcile]") {
    const bool close = GENERATE(false, true);
    Config config = ReconcileSink::reconcile_config();
    config.close_on_resolve = close;
    ReconcileSink s(config);
    s.apply(alert("web1"));
    s.alertmanager.fire("web1");
    const int64_t id = s.tracker.only(ticket("web1"));
    s.clock.advance(std::chrono::minutes(10));
    CHECK(s.reconcile().resolved == 0);  // still listed
    s.alertmanager.alerts.clear();       // resolved, and the webhook of it lost
    s.clock.advance(std::chrono::minutes(10));
    const auto first = s.reconcile();
    CHECK(first.resolved == 0);
    CHECK(first.missing == 1);
    CHECK(s.tracker.notes(id).empty());
    s.clock.advance(std::chrono::minutes(10));
    CHECK(s.reconcile().resolved == 0);  // 10 of the 20 minutes
    s.clock.advance(std::chrono::minutes(10));
    CHECK(s.reconcile().resolved == 1);
    auto notes = s.tracker.notes(id);
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Contains("解消") && Contains("Alertmanager との照合で検出"));
    CHECK(s.tracker.closed(id) == close);
    const int writes = s.tracker.writes();
    s.clock.advance(std::chrono::minutes(10));
    CHECK(s.reconcile().resolved == 0);
    CHECK(s.tracker.writes() == writes);
    CHECK(s.fake_host.counter("reconcile_actions_total", "action=resolved") == 1);
}

TEST_CASE("reconcile: an alert listed again within the grace keeps its ticket", "[reconcile]") {
    ReconcileSink s;
    s.apply(alert("web1"));
    s.clock.advance(std::chrono::minutes(10));
    s.reconcile();  // not listed: a restarted Alertmanager that Prometheus has not refilled
    s.alertmanager.fire("web1");
    s.clock.advance(std::chrono::minutes(10));
    s.reconcile();
    s.alertmanager.alerts.clear();
    s.clock.advance(std::chrono::minutes(15));
    CHECK(s.reconcile().resolved == 0);  // the grace starts again from the last miss
    CHECK(s.tracker.notes(s.tracker.only(ticket("web1"))).empty());
}

TEST_CASE("reconcile: a silenced alert keeps its ticket untouched and makes none", "[reconcile]") {
    ReconcileSink s;
    s.apply(alert("web1"));
    s.alertmanager.fire("web1", 0, true);
    s.alertmanager.fire("web2", 0, true);
    const int writes = s.tracker.writes();
    for (int run = 0; run < 4; ++run) {
        s.clock.advance(std::chrono::minutes(10));
        const auto result = s.reconcile();
        CHECK(result.resolved == 0);
        CHECK(result.fired == 0);
    }
    CHECK(s.tracker.writes() == writes);
    CHECK(s.tracker.issue_count() == 1);
}

TEST_CASE("reconcile: a firing alert routed here with no ticket gets its ticket, once",
          "[reconcile]") {
    ReconcileSink s;
    s.fake_host.routes_here = [](const std::map<std::string, std::string>& labels) {
        return labels.at("instance") != "db1";  // the routing file sends db1's elsewhere
    };
    s.alertmanager.fire("web1");
    s.alertmanager.fire("db1");
    CHECK(s.reconcile().fired == 1);
    CHECK(s.tracker.with_subject(ticket("web1")).size() == 1);
    CHECK(s.tracker.with_subject(ticket("db1")).empty());
    // The webhook that comes after it (startsAt to the nanosecond) is the same episode.
    const int writes = s.tracker.writes();
    s.apply(alert("web1"));
    CHECK(s.reconcile().fired == 0);
    CHECK(s.tracker.writes() == writes);
}

TEST_CASE("reconcile: a known firing alert costs no Redmine request", "[reconcile]") {
    ReconcileSink s;
    s.apply(alert("web1"));
    s.alertmanager.fire("web1");
    const int calls = s.tracker.calls();
    s.reconcile();
    CHECK(s.tracker.calls() == calls);
}

TEST_CASE("reconcile: a resolve and re-fire both lost is the re-fire's 再発 note", "[reconcile]") {
    ReconcileSink s;
    s.apply(alert("web1"));
    s.alertmanager.fire("web1", 3600);  // a new episode: startsAt an hour later
    s.clock.advance(std::chrono::hours(2));
    CHECK(s.reconcile().fired == 1);
    const auto notes = s.tracker.notes(s.tracker.only(ticket("web1")));
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Contains("再発"));
}

TEST_CASE("reconcile: Alertmanager unreachable changes nothing, with a warning and a metric",
          "[reconcile]") {
    ReconcileSink s;
    s.apply(alert("web1"));
    s.alertmanager.reachable = false;
    const int writes = s.tracker.writes();
    for (int run = 0; run < 3; ++run) {
        s.clock.advance(std::chrono::minutes(30));
        CHECK_THROWS_AS(s.reconcile(), tg::RetryLater);
    }
    CHECK(s.tracker.writes() == writes);
    CHECK(s.store.missing_since().empty());
    CHECK_THAT(s.log(), Contains("reconcile: Alertmanager did not answer"));
    CHECK(s.fake_host.counter("reconcile_failures_total") == 3);
    s.alertmanager.reachable = true;  // back, and web1 gone: the grace starts now
    s.alertmanager.alerts.clear();
    CHECK(s.reconcile().resolved == 0);
}

TEST_CASE("reconcile: a host older than sink ABI 1.5 cannot route: nothing is made",
          "[reconcile]") {
    ReconcileSink s;
    s.fake_host.abi_minor = 4;
    tg::HostServices old_host{s.fake_host.services()};
    s.alertmanager.fire("web1");
    CHECK_THROWS_WITH((Reconcile{s.config, s.store, s.executor, s.alertmanager, old_host}.run(
                          false, s.clock.now())),
                      Contains("sink ABI 1.5"));
    CHECK(s.tracker.issue_count() == 0);
}

TEST_CASE("reconcile --dry-run says what it would do and changes nothing", "[reconcile]") {
    ReconcileSink s;
    s.apply(alert("web1"));
    s.clock.advance(std::chrono::minutes(30));
    s.reconcile();  // web1 missing since now
    s.alertmanager.fire("web2");
    s.clock.advance(std::chrono::minutes(30));
    const int writes = s.tracker.writes();
    s.store.begin_dry_run();  // as DryRunScope switches the client and the state
    s.tracker.set_dry_run(true);
    const auto result = s.reconcile(true);
    s.tracker.set_dry_run(false);
    s.store.end_dry_run();
    CHECK(result.resolved == 1);
    CHECK(result.fired == 1);
    CHECK_THAT(s.log(), Contains("dry run: reconcile would resolve '" + ticket("web1") + "'") &&
                            Contains("dry run: reconcile would apply '" + ticket("web2") + "'"));
    CHECK(s.store.missing_since().size() == 1);  // the real run's record is still there
    CHECK(s.tracker.writes() == writes);
    CHECK(s.tracker.with_subject(ticket("web2")).empty());
    CHECK(s.tracker.notes(s.tracker.only(ticket("web1"))).empty());
}
