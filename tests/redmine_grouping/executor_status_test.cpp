// The executor's status paths on the fake tracker: 再発 notes and free resends, close_on_resolve
// and the Root, reopen_window, and a status Redmine's workflow keeps.
#include "executor_test_support.hpp"

using namespace executor_test;
using Catch::Matchers::Contains;

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

TEST_CASE("close_on_resolve closes each host, then the Root, and the next wave gets a new Root",
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
