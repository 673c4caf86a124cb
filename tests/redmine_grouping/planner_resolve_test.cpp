// The planner on resolved alerts and closed tickets: 解消 notes, close_on_resolve (and the Root
// with its last host), reopen_window, wont_fix_statuses.
#include "planner.hpp"

#include "planner_test_support.hpp"

#include <catch2/catch.hpp>

using namespace tg::redmine;
using namespace tg::redmine::planner_test;

TEST_CASE("firing after the issue was closed: a new issue, or a reopen within the window",
          "[planner]") {
    AlertFacts f = firing(closed_issue(10, 9000), kResolved);
    f.episode = kFiringLater;
    SECTION("no window") {
        auto plan = plan_alert(f, {}, options(false, 0, 10'000));
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 0)});
    }
    SECTION("outside the window") {
        auto plan = plan_alert(f, {}, options(false, 999, 10'000));
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 0)});
    }
    SECTION("inside the window") {
        auto plan = plan_alert(f, {}, options(false, 1000, 10'000));
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::reopen, 10)});
    }
    SECTION("closed time unknown: never reopened") {
        f.issue->closed_at = 0;
        auto plan = plan_alert(f, {}, options(false, 1000, 10'000));
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 0)});
    }
    SECTION(
        "inside the window under a closed Root: detached first, then grouped with the new wave") {
        f.issue->parent_id = 40;  // the old Root, closed
        GroupFacts g;
        g.other_hosts = {{"[Alert] HighCPU (server02)", 11, 0}};
        auto plan = plan_alert(f, g, options(false, 1000, 10'000));
        CHECK(plan.actions ==
              std::vector<Action>{
                  act(ActionKind::set_parent, 10, 0), act(ActionKind::reopen, 10),
                  act(ActionKind::create_root, 0),
                  act(ActionKind::set_parent, 11, kNewRoot, "[Alert] HighCPU (server02)"),
                  act(ActionKind::set_parent, 10, kNewRoot)});
    }
    SECTION("inside the window under the open Root: reopened in place") {
        f.issue->parent_id = 50;
        GroupFacts g;
        g.open_root = 50;
        auto plan = plan_alert(f, g, options(false, 1000, 10'000));
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::reopen, 10)});
    }
    SECTION("a new issue after a closed one joins the current wave's Root") {
        GroupFacts g;
        g.open_root = 60;
        auto plan = plan_alert(f, g, options());
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 60)});
    }
}

TEST_CASE("resolved alerts", "[planner]") {
    SECTION("open issue: a 解消 note") {
        auto plan = plan_alert(resolved(open_issue(10)), {}, options(false));
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::note_resolved, 10, 0,
                                                      "[Alert] HighCPU (server01)", false)});
        CHECK(plan.record_episode);
    }
    SECTION("close_on_resolve: the note closes the issue") {
        auto plan = plan_alert(resolved(open_issue(10)), {}, options(true));
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::note_resolved, 10, 0,
                                                      "[Alert] HighCPU (server01)", true)});
    }
    SECTION("close_on_resolve, last open child: the Root is closed too") {
        GroupFacts g;
        g.open_root = 50;
        auto plan = plan_alert(resolved(open_issue(10, 50)), g, options(true));
        CHECK(plan.actions == std::vector<Action>{act(ActionKind::note_resolved, 10, 0,
                                                      "[Alert] HighCPU (server01)", true),
                                                  act(ActionKind::close_root, 50)});
    }
    SECTION("close_on_resolve, a sibling still open: the Root stays") {
        GroupFacts g;
        g.open_root = 50;
        g.other_hosts = {{"[Alert] HighCPU (server02)", 11, 50}};
        auto plan = plan_alert(resolved(open_issue(10, 50)), g, options(true));
        CHECK(plan.actions.size() == 1);
    }
    SECTION("without close_on_resolve the Root is never closed") {
        GroupFacts g;
        g.open_root = 50;
        auto plan = plan_alert(resolved(open_issue(10, 50)), g, options(false));
        CHECK(plan.actions.size() == 1);
    }
    SECTION("no issue, or a closed one: nothing to tell, only remembered") {
        auto plan = plan_alert(resolved(std::nullopt, std::nullopt), {}, options(true));
        CHECK(plan.actions.empty());
        CHECK(plan.record_episode);
        plan = plan_alert(resolved(closed_issue(10, 5)), {}, options(true));
        CHECK(plan.actions.empty());
        CHECK(plan.record_episode);
    }
}

TEST_CASE(
    "wont_fix_statuses: a closed issue is read first, closed won't fix a re-fire writes "
    "nothing within reopen_window, ever with it 0",
    "[planner][wont_fix]") {
    AlertFacts f = firing(closed_issue(10, 9000), kResolved);
    f.episode = kFiringLater;
    PlanOptions o = options(false, 0);
    o.wont_fix = true;
    auto plan = plan_alert(f, {}, o);
    CHECK(plan.verify_issue == 10);
    CHECK_FALSE(plan.record_episode);

    f.verified = true;
    f.wont_fix = true;
    plan = plan_alert(f, {}, o);  // reopen_window 0: never
    CHECK(plan.wont_fix);
    CHECK(plan.actions.empty());
    CHECK(plan.record_episode);  // its resends cost nothing

    o.reopen_window = std::chrono::seconds(3600);  // closed 1000 s ago: within the window
    plan = plan_alert(f, {}, o);
    CHECK(plan.wont_fix);
    CHECK(plan.actions.empty());

    o.reopen_window = std::chrono::seconds(500);  // the closure is older: a new ticket
    plan = plan_alert(f, {}, o);
    CHECK_FALSE(plan.wont_fix);
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 0)});

    f.wont_fix = false;  // closed with another status: as before (reopened within the window)
    o.reopen_window = std::chrono::seconds(3600);
    plan = plan_alert(f, {}, o);
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::reopen, 10)});
}
