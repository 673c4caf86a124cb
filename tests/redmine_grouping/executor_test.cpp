// The executor's hardest paths on the fake tracker (fake_tracker.hpp), with a clock the test
// moves: what a real Redmine does only by accident (a lost answer, a field it ignores, a Root a
// person closed meanwhile) is made to happen here on purpose. The same paths against the real
// Redmine are in redmine_integration*_test.cpp and the faults tests: they prove the client.
#include "executor_test_support.hpp"
#include "flap_summary.hpp"

using namespace executor_test;
using Catch::Matchers::Contains;

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
