// The planner's max_children: hosts past the Root's limit listed on it instead of a ticket each.
#include "planner.hpp"

#include "planner_test_support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace tg::redmine;
using namespace tg::redmine::planner_test;

TEST_CASE("max_children: a host past the Root's limit is listed on it, not given a ticket",
          "[planner]") {
    PlanOptions o = options();
    o.max_children = 2;
    const std::string key = "[Alert] HighCPU (server01)";
    const auto list = [&](IssueRef root, HostChange change) {
        Action a = act(ActionKind::list_host, root);
        a.change = change;
        return a;
    };
    GroupFacts g;
    g.open_root = 7;
    g.other_hosts = {{"[Alert] HighCPU (server02)", 11, 7}, {"[Alert] HighCPU (server03)", 12, 7}};
    g.root_tickets = 2;

    SECTION("under the limit a ticket as always") {
        g.root_tickets = 1;
        CHECK(plan_alert(firing(), g, o).actions ==
              std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 7)});
    }
    SECTION("at the limit: listed, fired") {
        CHECK(plan_alert(firing(), g, o).actions ==
              std::vector<Action>{list(7, HostChange::fired)});
    }
    SECTION("closed tickets under the Root count too") {
        g.other_hosts.clear();
        CHECK(plan_alert(firing(), g, o).actions ==
              std::vector<Action>{list(7, HostChange::fired)});
    }
    SECTION("without a Root yet, the one the hosts make is full: it is made, and the host listed") {
        g.open_root = 0;
        for (auto& h : g.other_hosts) h.parent_id = 0;
        CHECK(plan_alert(firing(), g, o).actions ==
              std::vector<Action>{
                  act(ActionKind::create_root, 0),
                  act(ActionKind::set_parent, 11, kNewRoot, "[Alert] HighCPU (server02)"),
                  act(ActionKind::set_parent, 12, kNewRoot, "[Alert] HighCPU (server03)"),
                  list(kNewRoot, HostChange::fired)});
    }
    SECTION("a listed host resolves, and fires again") {
        AlertFacts f = resolved(std::nullopt);
        f.listed = ListedHost{7, true};
        CHECK(plan_alert(f, g, o).actions == std::vector<Action>{list(7, HostChange::resolved)});
        AlertFacts again = firing(std::nullopt, kResolved);
        again.episode = kFiringLater;
        again.listed = ListedHost{7, false};
        CHECK(plan_alert(again, g, o).actions == std::vector<Action>{list(7, HostChange::refired)});
    }
    SECTION("listed on a Root that is gone: a new listing on the open one") {
        AlertFacts f = firing();
        f.listed = ListedHost{3, true};
        CHECK(plan_alert(f, g, o).actions == std::vector<Action>{list(7, HostChange::fired)});
        AlertFacts r = resolved(std::nullopt);
        r.listed = ListedHost{3, true};
        CHECK(plan_alert(r, g, o).actions.empty());  // nothing open on the open Root to tell
    }
    SECTION("close_on_resolve: a firing listed host keeps the Root open") {
        o.close_on_resolve = true;
        GroupFacts last;
        last.open_root = 7;
        last.root_tickets = 2;
        last.listed_firing = 1;
        const IssueState mine = open_issue(11, 7);
        CHECK(plan_alert(resolved(mine), last, o).actions ==
              std::vector<Action>{act(ActionKind::note_resolved, 11, 0, key, true)});
        last.listed_firing = 0;
        CHECK(plan_alert(resolved(mine), last, o).actions ==
              std::vector<Action>{act(ActionKind::note_resolved, 11, 0, key, true),
                                  act(ActionKind::close_root, 7)});
    }
    SECTION("no limit (0): as before") {
        o.max_children = 0;
        CHECK(plan_alert(firing(), g, o).actions ==
              std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 7)});
    }
}
