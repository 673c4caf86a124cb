// max_children on the fake tracker: a storm's hosts past the limit listed on the Root in batch
// notes (the same against the real Redmine: redmine_storm_test.cpp).
#include "executor_test_support.hpp"

using namespace executor_test;
using Catch::Matchers::Contains;

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
