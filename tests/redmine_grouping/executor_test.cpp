// The executor's hardest paths on the fake tracker (fake_tracker.hpp), with a clock the test
// moves: what a real Redmine does only by accident (a lost answer, a field it ignores, a Root a
// person closed meanwhile) is made to happen here on purpose. The same paths against the real
// Redmine are in redmine_integration*_test.cpp and the faults tests: they prove the client.
#include "executor.hpp"
#include "fake_tracker.hpp"
#include "flap_summary.hpp"
#include "issue_json.hpp"

#include <tickets_grouping/testing.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

using namespace tg::redmine;
using Catch::Matchers::Contains;
using rgtest::FakeTracker;

namespace {

constexpr int64_t kStart = 1796288400;  // 2026-12-03T09:00:00Z

Config test_config() {
    Config c;
    c.url = "http://tracker.invalid";
    c.project = "alerts";
    c.tracker_id = 1;
    c.status_done = {FakeTracker::kClosed, ""};
    c.status_carryover = {FakeTracker::kCarryOver, ""};
    c.time_zone = "Asia/Tokyo";
    return c;
}

// The executor and what it works with, wired as RedmineSink wires them.
struct Sink {
    rgtest::ManualClock clock{kStart};
    FakeTracker tracker{clock};
    tg::testing::FakeHost fake_host;
    tg::HostServices host{fake_host.services()};
    Config config;
    TextBuilder text{config.text_formatting, config.time_zone, config.language, config.templates};
    TextFormatting formats{config, tracker, text, host};
    StateStore store{(std::filesystem::path(fake_host.state_dir()) / "state.sqlite3").string()};
    StatusCatalog statuses{tracker, config.tracker_id};
    TicketFields fields{config, tracker, text, host};
    Executor executor{config, tracker, store, statuses, text, formats, fields, host, clock};

    explicit Sink(Config c = test_config()) : config(std::move(c)) {}

    // One alert of the webhook, applied at the clock's time.
    void apply(const std::string& alert_json) {
        const auto n = decode_notification(R"({"alerts":[)" + alert_json + "]}");
        REQUIRE(n.alerts.size() == 1);
        executor.apply(n.alerts.front(), "http://am.example", clock.now());
    }
    std::string log() const { return fake_host.log_text(); }
};

// An alert of HighCPU on `host`: firing since `starts` (seconds after kStart), or resolved.
std::string alert(const std::string& host, int64_t starts = 0, bool firing = true) {
    const auto at = [](int64_t s) { return redmine_time(kStart + s); };
    return R"({"status":")" + std::string(firing ? "firing" : "resolved") +
           R"(","labels":{"alertname":"HighCPU","instance":")" + host +
           R"(","severity":"critical"},"annotations":{"description":"CPU is high on )" + host +
           R"("},"startsAt":")" + at(starts) + R"(","endsAt":")" +
           (firing ? "0001-01-01T00:00:00Z" : at(starts + 60)) + R"(","fingerprint":"fp-)" + host +
           R"("})";
}

const std::string kRoot = "[Root] [Alert] HighCPU";
std::string ticket(const std::string& host) { return "[Alert] HighCPU (" + host + ")"; }

}  // namespace

TEST_CASE("the fake tracker: a ticket per host, and a Root over them from the second host",
          "[executor]") {
    Sink s;
    s.apply(alert("web1"));
    CHECK(s.tracker.issue_count() == 1);
    s.apply(alert("web1"));  // a resend writes nothing
    const int writes = s.tracker.writes();
    s.apply(alert("web1"));
    CHECK(s.tracker.writes() == writes);
    s.apply(alert("web2"));
    const int64_t root = s.tracker.only(kRoot);
    CHECK(s.tracker.parent(s.tracker.only(ticket("web1"))) == root);
    CHECK(s.tracker.parent(s.tracker.only(ticket("web2"))) == root);
    CHECK(s.tracker.issue_count() == 3);
}

TEST_CASE("a create whose answer was lost is adopted on the retry, not made twice", "[executor]") {
    Sink s;
    SECTION("a host's ticket") {
        s.tracker.lose_next_answer();
        CHECK_THROWS_AS(s.apply(alert("web1")), tg::RetryLater);
        REQUIRE(s.tracker.issue_count() == 1);  // Redmine made it; the sink did not hear so
        s.clock.advance(std::chrono::minutes(3));
        s.apply(alert("web1"));
        const int64_t id = s.tracker.only(ticket("web1"));
        CHECK_THAT(s.log(), Contains("adopting issue #" + std::to_string(id)));
        REQUIRE(s.store.issue(ticket("web1")));
        CHECK(s.store.issue(ticket("web1"))->id == id);
        CHECK_FALSE(s.store.intent(ticket("web1")));
    }
    SECTION("the Root, under which the second host's ticket then goes") {
        s.apply(alert("web1"));
        s.tracker.lose_next_answer();
        CHECK_THROWS_AS(s.apply(alert("web2")), tg::RetryLater);
        s.apply(alert("web2"));
        const int64_t root = s.tracker.only(kRoot);
        CHECK(s.tracker.parent(s.tracker.only(ticket("web1"))) == root);
        CHECK(s.tracker.parent(s.tracker.only(ticket("web2"))) == root);
        CHECK(s.tracker.issue_count() == 3);
    }
    SECTION("a create that failed before Redmine had it is made once on the retry") {
        s.tracker.fail_next_write();
        CHECK_THROWS_AS(s.apply(alert("web1")), tg::RetryLater);
        CHECK(s.tracker.issue_count() == 0);
        s.apply(alert("web1"));
        CHECK(s.tracker.with_subject(ticket("web1")).size() == 1);
        CHECK_THAT(s.log(), !Contains("adopting"));
    }
}

TEST_CASE("a note whose answer was lost is found in the journals and not sent again",
          "[executor]") {
    Config config = test_config();
    const bool close = GENERATE(false, true);
    config.close_on_resolve = close;
    Sink s(config);
    s.apply(alert("web1"));
    const int64_t id = s.tracker.only(ticket("web1"));
    s.clock.advance(std::chrono::minutes(5));
    s.tracker.lose_next_answer();
    CHECK_THROWS_AS(s.apply(alert("web1", 0, false)), tg::RetryLater);
    REQUIRE(s.tracker.notes(id).size() == 1);   // written; the answer was lost
    s.clock.advance(std::chrono::minutes(10));  // the retry comes later
    s.apply(alert("web1", 0, false));
    const auto notes = s.tracker.notes(id);
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Contains("解消"));
    CHECK_THAT(s.log(), Contains("its answer was lost) is there; not sent again"));
    CHECK(s.tracker.closed(id) == close);
    s.apply(alert("web1", 0, false));  // and a resend of the resolve after that writes nothing
    CHECK(s.tracker.notes(id).size() == 1);

    if (!close) {
        SECTION("a note refused before it was written is sent once on the retry") {
            s.clock.advance(std::chrono::minutes(5));
            s.tracker.fail_next_write();
            CHECK_THROWS_AS(s.apply(alert("web1", 3600)), tg::RetryLater);
            s.apply(alert("web1", 3600));
            const auto after = s.tracker.notes(id);
            REQUIRE(after.size() == 2);
            CHECK_THAT(after[1], Contains("再発"));
        }
    }
}

TEST_CASE("a Root a person closed: the next host is refused under it, and the sink re-plans",
          "[executor]") {
    Sink s;
    s.apply(alert("web1"));
    s.apply(alert("web2"));
    const int64_t root = s.tracker.only(kRoot);
    for (const char* h : {"web1", "web2"}) s.tracker.close_by_person(s.tracker.only(ticket(h)));
    s.tracker.close_by_person(root);

    // The state still believes the Root open: Redmine refuses the child (422), the sink reads
    // the Root closed, forgets it and creates web3 on its own.
    s.apply(alert("web3"));
    const int64_t web3 = s.tracker.only(ticket("web3"));
    CHECK(s.tracker.parent(web3) == 0);
    CHECK_THAT(s.log(), Contains("Root #" + std::to_string(root) + " is closed or gone"));
    CHECK(s.tracker.closed(root));

    // web1 fires again: a new ticket (its old one is closed), and with web3 a new Root.
    s.clock.advance(std::chrono::hours(1));
    s.apply(alert("web1", 3600));
    const auto roots = s.tracker.with_subject(kRoot);
    const auto web1 = s.tracker.with_subject(ticket("web1"));
    REQUIRE(roots.size() == 2);
    REQUIRE(web1.size() == 2);
    CHECK(s.tracker.parent(web3) == roots[1]);
    CHECK(s.tracker.parent(web1[1]) == roots[1]);
    CHECK(s.tracker.parent(web1[0]) == root);  // the closed one stays where it was
}

TEST_CASE("a parent Redmine silently left out is reported and the delivery dropped", "[executor]") {
    Sink s;
    s.apply(alert("web1"));
    s.tracker.ignore_field("parent_issue_id");
    try {
        s.apply(alert("web2"));
        FAIL("the delivery was taken as done");
    } catch (const tg::Drop& e) {
        CHECK_THAT(e.what(), Contains("Redmine kept no parent instead of parent #"));
    }
    CHECK(s.fake_host.counter("redmine_ignored_fields_total", "field=parent_issue_id") >= 1);
    CHECK(s.tracker.with_subject(ticket("web2")).size() == 1);  // what was written stays
}

TEST_CASE("an issue deleted behind the sink's back is made again at the next episode",
          "[executor]") {
    Sink s;
    s.apply(alert("web1"));
    const int64_t first = s.tracker.only(ticket("web1"));
    s.tracker.delete_by_person(first);
    s.clock.advance(std::chrono::hours(1));
    s.apply(alert("web1", 3600));
    const int64_t again = s.tracker.only(ticket("web1"));
    CHECK(again != first);
    CHECK_THAT(s.log(), Contains("no longer exists in Redmine; a new one will be created"));
    CHECK(s.tracker.notes(again).empty());
}

TEST_CASE("flap_window: changes inside the window are folded into one summary the hook writes",
          "[executor]") {
    Config config = test_config();
    config.flap_window = std::chrono::minutes(10);
    Sink s(config);
    s.apply(alert("web1"));
    const int64_t id = s.tracker.only(ticket("web1"));
    // Eight flaps a minute apart: resolve, re-fire, ... ending firing.
    int64_t starts = 0;
    for (int i = 0; i < 8; ++i) {
        s.clock.advance(std::chrono::minutes(1));
        s.apply(alert("web1", starts, false));
        s.clock.advance(std::chrono::minutes(1));
        starts += 120;
        s.apply(alert("web1", starts));
    }
    REQUIRE(s.tracker.notes(id).size() == 1);  // the window's first change, as without it
    CHECK_THAT(s.tracker.notes(id)[0], Contains("解消"));
    FlapSummary hook{s.config, s.store, s.executor, s.host};
    CHECK(hook.run(false, s.clock.now()).written == 0);  // not stable for the window yet
    s.clock.advance(std::chrono::minutes(11));
    CHECK(hook.run(false, s.clock.now()).written == 1);
    CHECK(hook.run(false, s.clock.now()).written == 0);  // once
    const auto notes = s.tracker.notes(id);
    REQUIRE(notes.size() == 2);
    CHECK_THAT(notes[1], Contains("この期間に 8 回再発・7 回解消 ("));
    CHECK_THAT(notes[1], Contains("現在: 発生中"));
}

TEST_CASE("max_children: past the limit a host is listed on the Root, one batch note per delivery",
          "[executor]") {
    Config config = test_config();
    config.max_children = 10;
    Sink s(config);
    const auto host = [](int i) { return "web" + std::to_string(i); };
    for (int i = 1; i <= 60; ++i) s.apply(alert(host(i)));  // one delivery of 60 alerts
    CHECK(s.executor.write_batches(s.clock.now(), true) == 1);
    const int64_t root = s.tracker.only(kRoot);
    for (int i = 1; i <= 10; ++i) CHECK(s.tracker.parent(s.tracker.only(ticket(host(i)))) == root);
    for (int i = 11; i <= 60; ++i) CHECK(s.tracker.with_subject(ticket(host(i))).empty());
    CHECK(s.tracker.issue_count() == 11);
    auto notes = s.tracker.notes(root);
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Contains("max_children (10) を超えたため"));
    CHECK_THAT(notes[0], Contains("**発生:** web11, web12, "));
    CHECK_THAT(notes[0], Contains(", web60\n"));
    CHECK_THAT(notes[0], Contains("現在の影響ホスト: 60 (個別チケット 10、この一覧のみ 50)"));
    CHECK(s.tracker.writes() <= 2 * (11 + 1));

    // 20 of the listed hosts resolve in the next delivery: one note lists them.
    s.clock.advance(std::chrono::minutes(2));
    for (int i = 11; i <= 30; ++i) s.apply(alert(host(i), 0, false));
    CHECK(s.executor.write_batches(s.clock.now(), true) == 1);
    notes = s.tracker.notes(root);
    REQUIRE(notes.size() == 2);
    CHECK_THAT(notes[1], Contains("**解消:** web11, "));
    CHECK_THAT(notes[1], Contains(", web30\n"));
    CHECK_THAT(notes[1], !Contains("web31"));
    CHECK_THAT(notes[1], Contains("現在の影響ホスト: 40 (個別チケット 10、この一覧のみ 30)"));
    CHECK(s.tracker.with_subject(ticket(host(11))).empty());  // still no ticket of its own

    // Within a minute of that note, a re-fire waits for the hook; the hook writes it.
    s.clock.advance(std::chrono::seconds(20));
    s.apply(alert(host(11), 3600));
    CHECK(s.executor.write_batches(s.clock.now(), true) == 0);
    CHECK(s.tracker.notes(root).size() == 2);
    CHECK(s.executor.write_batches(s.clock.now(), false) == 1);
    notes = s.tracker.notes(root);
    REQUIRE(notes.size() == 3);
    CHECK_THAT(notes[2], Contains("**再発:** web11\n"));
    CHECK_THAT(notes[2], Contains("現在の影響ホスト: 41 (個別チケット 10、この一覧のみ 31)"));
    CHECK(s.executor.write_batches(s.clock.now(), false) == 0);  // nothing waits any more
    CHECK(s.fake_host.counter("redmine_actions_total", "action=listed") == 71);
    CHECK(s.fake_host.counter("redmine_actions_total", "action=batched") == 3);
}

TEST_CASE("max_children with close_on_resolve: the Root closes with the last host, listed or not",
          "[executor]") {
    Config config = test_config();
    config.max_children = 2;
    config.close_on_resolve = true;
    Sink s(config);
    for (const char* h : {"web1", "web2", "web3"}) s.apply(alert(h));
    const int64_t root = s.tracker.only(kRoot);
    CHECK(s.tracker.with_subject(ticket("web3")).empty());
    s.apply(alert("web1", 0, false));
    s.apply(alert("web2", 0, false));
    CHECK_FALSE(s.tracker.closed(root));  // web3 still fires, on the Root only
    s.apply(alert("web3", 0, false));
    CHECK(s.tracker.closed(root));
    CHECK(s.executor.write_batches(s.clock.now(), true) == 1);
    const auto notes = s.tracker.notes(root);
    REQUIRE_FALSE(notes.empty());
    CHECK_THAT(notes.back(), Contains("**発生:** web3\n"));
    CHECK_THAT(notes.back(), Contains("**解消:** web3\n"));
    CHECK_THAT(notes.back(), Contains("現在の影響ホスト: 0 (個別チケット 0、この一覧のみ 0)"));
}

TEST_CASE("a new episode on an open ticket is one 再発 note, and its resend writes nothing",
          "[executor]") {
    Sink s;
    s.apply(alert("web1"));
    const int64_t id = s.tracker.only(ticket("web1"));
    s.clock.advance(std::chrono::minutes(10));
    s.apply(alert("web1", 0, false));
    s.clock.advance(std::chrono::minutes(10));
    s.apply(alert("web1", 1200));  // fires again: a new startsAt
    const int calls = s.tracker.calls();
    s.apply(alert("web1", 1200));  // Alertmanager's repeat
    CHECK(s.tracker.calls() == calls);
    const auto notes = s.tracker.notes(id);
    REQUIRE(notes.size() == 2);
    CHECK_THAT(notes[0], Contains("解消"));
    CHECK_THAT(notes[1], Contains("再発"));
    CHECK(s.tracker.issue_count() == 1);
}

TEST_CASE("close_on_resolve closes each host, then the Root; the next wave gets a new Root",
          "[executor]") {
    Config config = test_config();
    config.close_on_resolve = true;
    Sink s(config);
    for (const char* h : {"web1", "web2", "web3"}) s.apply(alert(h));
    const int64_t root = s.tracker.only(kRoot);
    s.apply(alert("web1", 0, false));
    s.apply(alert("web2", 0, false));
    CHECK(s.tracker.closed(s.tracker.only(ticket("web1"))));
    CHECK_FALSE(s.tracker.closed(root));  // web3 still open under it
    s.apply(alert("web3", 0, false));
    CHECK(s.tracker.closed(root));
    for (const char* h : {"web1", "web2", "web3"}) {
        INFO(h);
        CHECK(s.tracker.notes(s.tracker.only(ticket(h))).size() == 1);
    }

    s.clock.advance(std::chrono::hours(1));
    s.apply(alert("web2", 3600));
    s.apply(alert("web3", 3600));
    const auto roots = s.tracker.with_subject(kRoot);
    REQUIRE(roots.size() == 2);
    CHECK(s.tracker.closed(roots[0]));
    for (const char* h : {"web2", "web3"}) {
        const auto tickets = s.tracker.with_subject(ticket(h));
        REQUIRE(tickets.size() == 2);
        CHECK(s.tracker.parent(tickets[1]) == roots[1]);
        CHECK(s.tracker.parent(tickets[0]) == root);
    }
}

TEST_CASE("a ticket a person closed: a new ticket, or within reopen_window the old one reopened",
          "[executor]") {
    Config config = test_config();
    const bool window = GENERATE(false, true);
    if (window) config.reopen_window = std::chrono::hours(72);
    Sink s(config);
    s.apply(alert("web1"));
    const int64_t first = s.tracker.only(ticket("web1"));
    s.tracker.close_by_person(first);
    s.clock.advance(std::chrono::hours(2));
    s.apply(alert("web1", 7200));
    const auto tickets = s.tracker.with_subject(ticket("web1"));
    if (window) {
        REQUIRE(tickets.size() == 1);
        CHECK(s.tracker.status(first) == FakeTracker::kNew);  // the tracker's default status
        REQUIRE(s.tracker.notes(first).size() == 1);
        CHECK_THAT(s.tracker.notes(first)[0], Contains("再オープン"));
    } else {
        REQUIRE(tickets.size() == 2);
        CHECK(s.tracker.closed(first));
        CHECK(s.tracker.notes(first).empty());
        CHECK(s.tracker.status(tickets[1]) == FakeTracker::kNew);
    }
}

TEST_CASE("a status Redmine's workflow keeps is reported, not taken as done", "[executor]") {
    Config config = test_config();
    config.close_on_resolve = true;
    Sink s(config);
    s.apply(alert("web1"));
    s.apply(alert("web2"));
    const int64_t root = s.tracker.only(kRoot);
    // A person opened a subtask of their own under the Root: it cannot close while that is open.
    Poco::JSON::Object manual;
    manual.set("subject", "investigate");
    manual.set("parent_issue_id", root);
    s.tracker.create_issue(manual, "a person's subtask");
    s.apply(alert("web1", 0, false));
    try {
        s.apply(alert("web2", 0, false));
        FAIL("closing the Root was taken as done");
    } catch (const tg::Drop& e) {
        CHECK_THAT(e.what(), Contains("Redmine kept issue #" + std::to_string(root)));
        CHECK_THAT(e.what(), Contains("open subtasks"));
    }
    CHECK_FALSE(s.tracker.closed(root));
    CHECK(s.tracker.closed(s.tracker.only(ticket("web2"))));  // its own close went through
}
