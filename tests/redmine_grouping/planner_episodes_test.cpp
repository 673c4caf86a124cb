// The planner's episodes: what is a new episode (a recurrence) and what a copy of one already
// written (resends, late copies, HA peers' stamps within episode_tolerance).
#include "planner.hpp"

#include "planner_test_support.hpp"

#include <catch2/catch.hpp>

using namespace tg::redmine;
using namespace tg::redmine::planner_test;

TEST_CASE("a new episode on an open issue is checked in Redmine once, then noted", "[planner]") {
    AlertFacts f = firing(open_issue(10), kFiring);
    f.episode = kFiringLater;
    f.starts_at_unix = 2000;
    auto plan = plan_alert(f, {}, options());
    CHECK(plan.verify_issue == 10);
    CHECK(plan.actions.empty());
    CHECK_FALSE(plan.record_episode);

    f.verified = true;
    plan = plan_alert(f, {}, options());
    CHECK(plan.verify_issue == 0);
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::note_recurrence, 10)});
    CHECK(plan.record_episode);
}

TEST_CASE("firing again after resolved (same fingerprint) is a recurrence", "[planner]") {
    AlertFacts f = firing(open_issue(10), kResolved);
    f.episode = kFiringLater;
    f.verified = true;
    auto plan = plan_alert(f, {}, options());
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::note_recurrence, 10)});
}

TEST_CASE("after a rebuild, an alert older than the issue's last update is adopted silently",
          "[planner]") {
    AlertFacts f = firing(open_issue(10));  // no last episode: the state was rebuilt
    f.starts_at_unix = 400;                 // the issue was last updated at 500
    auto plan = plan_alert(f, {}, options());
    CHECK(plan.actions.empty());
    CHECK(plan.verify_issue == 0);
    CHECK(plan.record_episode);

    f.starts_at_unix = 600;  // started after: a real recurrence, so check the issue first
    plan = plan_alert(f, {}, options());
    CHECK(plan.verify_issue == 10);
}

TEST_CASE("a recurrence on a loose issue joins the open Root", "[planner]") {
    AlertFacts f = firing(open_issue(10), kResolved);
    f.episode = kFiringLater;
    f.verified = true;
    GroupFacts g;
    g.open_root = 50;
    g.other_hosts = {{"[Alert] HighCPU (server02)", 11, 50}};
    auto plan = plan_alert(f, g, options());
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::note_recurrence, 10),
                                              act(ActionKind::set_parent, 10, 50)});
}

TEST_CASE("a late firing copy after the resolve is ignored, a real re-fire is not", "[planner]") {
    AlertFacts f = firing(open_issue(10), kResolved);  // same fingerprint and startsAt as kFiring
    auto plan = plan_alert(f, {}, options());
    CHECK(plan.actions.empty());
    CHECK(plan.verify_issue == 0);
    CHECK_FALSE(plan.record_episode);

    // Hand-written payloads carry no startsAt: firing after resolved is all there is to go by.
    f.last = Episode{"fp1", "", false};
    f.episode = Episode{"fp1", "", true};
    f.starts_at_unix = 0;
    plan = plan_alert(f, {}, options());
    CHECK(plan.verify_issue == 10);
}

// Episode starts in nanoseconds (Alert::episode_start), as two HA peers stamp them.
namespace {
constexpr int64_t kSecond = 1'000'000'000;
Episode stamped(int64_t ns, bool is_firing = true) {
    return {"fp1", std::to_string(ns), is_firing};
}
PlanOptions tolerant(int64_t seconds = 30) {
    PlanOptions o = options();
    o.episode_tolerance = std::chrono::seconds(seconds);
    return o;
}
}  // namespace

TEST_CASE("episode_tolerance: one firing alert stamped twice by HA peers is one episode",
          "[planner]") {
    const int64_t t = 1'764'000'000 * kSecond;
    AlertFacts f = firing(open_issue(10), stamped(t));
    f.episode = stamped(t + 7'000'000);  // the other peer, 7 ms later
    f.verified = true;
    CHECK(plan_alert(f, {}, tolerant()).actions.empty());
    CHECK_FALSE(plan_alert(f, {}, tolerant()).record_episode);  // still compared with the first
    f.episode = stamped(t - 29 * kSecond);
    CHECK(plan_alert(f, {}, tolerant()).actions.empty());
    // Past the tolerance, or with it 0: a new episode, as before.
    f.episode = stamped(t + 31 * kSecond);
    CHECK(plan_alert(f, {}, tolerant()).actions ==
          std::vector<Action>{act(ActionKind::note_recurrence, 10)});
    f.episode = stamped(t + 7'000'000);
    CHECK(plan_alert(f, {}, tolerant(0)).actions ==
          std::vector<Action>{act(ActionKind::note_recurrence, 10)});
}

TEST_CASE(
    "episode_tolerance: the second peer's resolve writes nothing, and after a resolve only an "
    "equal startsAt is a copy",
    "[planner]") {
    const int64_t t = 1'764'000'000 * kSecond;
    AlertFacts f = resolved(open_issue(10), stamped(t, false));
    f.episode = stamped(t + 5'000'000, false);  // peer B's resolve of the same episode
    CHECK(plan_alert(f, {}, tolerant()).actions.empty());
    AlertFacts late = firing(open_issue(10), stamped(t, false));
    late.episode = stamped(t);  // a retried firing notification, after the resolve
    late.verified = true;
    CHECK(plan_alert(late, {}, tolerant()).actions.empty());
    // A re-fire soon after its resolve is a 再発 note, however close its start (a fast flap).
    late.episode = stamped(t + 5 * kSecond);
    CHECK(plan_alert(late, {}, tolerant()).actions ==
          std::vector<Action>{act(ActionKind::note_recurrence, 10)});
    // Without a known start (an alert posted without startsAt to one Alertmanager, rebuilt
    // state), nothing is matched by tolerance.
    late.last = Episode{"fp1", "", false};
    late.episode = stamped(t);
    CHECK_FALSE(plan_alert(late, {}, tolerant()).actions.empty());
}

TEST_CASE("a startsAt cut to the millisecond (Alertmanager's API) is the webhook's start",
          "[planner]") {
    const Episode webhook{"fp1", "1796288400123456789", true};
    const Episode api{"fp1", "1796288400123000000", true};
    CHECK(same_start(webhook, api, std::chrono::seconds(0)));
    CHECK(same_start(api, webhook, std::chrono::seconds(0)));
    CHECK_FALSE(same_start(webhook, {"fp1", "1796288400124000000", true}, std::chrono::seconds(0)));
    CHECK_FALSE(same_start(webhook, {"fp1", "1796288400123456790", true}, std::chrono::seconds(0)));
    CHECK(same_start(webhook, {"fp1", "1796288410000000000", true}, std::chrono::seconds(30)));
}
