// The planner's grouping: a ticket per host, the Root a second host makes, the writes of a whole
// wave, and describe_plan. Episodes, resolves, flaps and max_children: planner_*_test.cpp.
#include "planner.hpp"

#include "planner_test_support.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace tg::redmine;
using namespace tg::redmine::planner_test;

TEST_CASE("first firing alert of an alertname creates one issue", "[planner]") {
    auto plan = plan_alert(firing(), {}, options());
    CHECK(plan.verify_issue == 0);
    CHECK(plan.record_episode);
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 0)});
}

TEST_CASE("a second host creates a Root and moves the first host under it", "[planner]") {
    GroupFacts g;
    g.other_hosts = {{"[Alert] HighCPU (server02)", 11, 0}};
    auto plan = plan_alert(firing(), g, options());
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_root, 0),
                                              act(ActionKind::set_parent, 11, kNewRoot,
                                                  "[Alert] HighCPU (server02)"),
                                              act(ActionKind::create_issue, kNewIssue, kNewRoot)});
}

TEST_CASE("later hosts are created directly under the open Root", "[planner]") {
    GroupFacts g;
    g.open_root = 50;
    g.other_hosts = {{"[Alert] HighCPU (server02)", 11, 50},
                     {"[Alert] HighCPU (server03)", 12, 50}};
    auto plan = plan_alert(firing(), g, options());
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 50)});
}

TEST_CASE("an open Root adopts loose host issues (e.g. after an interrupted wave)", "[planner]") {
    GroupFacts g;
    g.open_root = 50;
    g.other_hosts = {{"[Alert] HighCPU (server02)", 11, 0}, {"[Alert] HighCPU (server03)", 12, 50}};
    auto plan = plan_alert(firing(), g, options());
    CHECK(plan.actions ==
          std::vector<Action>{act(ActionKind::set_parent, 11, 50, "[Alert] HighCPU (server02)"),
                              act(ActionKind::create_issue, kNewIssue, 50)});
}

TEST_CASE("a resend of the same episode costs nothing", "[planner]") {
    for (bool open : {true, false}) {
        IssueState issue = open ? open_issue(10) : closed_issue(10, 9000);
        auto plan = plan_alert(firing(issue, kFiring), {}, options(false, 3600));
        CHECK(plan.actions.empty());
        CHECK_FALSE(plan.record_episode);
        CHECK(plan.verify_issue == 0);
    }
    auto plan = plan_alert(resolved(open_issue(10), kResolved), {}, options(true));
    CHECK(plan.actions.empty());
    CHECK_FALSE(plan.record_episode);
}

TEST_CASE("the a, b, c, d, e, d2 sequence plans the expected writes", "[planner]") {
    // Simulates the state the executor keeps, to check the grouping over a whole wave.
    struct Host {
        std::string key;
        int64_t id = 0;
        bool open = true;
        int64_t parent = 0;
        std::optional<Episode> last;
    };
    std::map<std::string, Host> hosts;
    int64_t root = 0, next_id = 100;
    int writes = 0;
    auto deliver = [&](const std::string& name, const Episode& e) {
        const std::string key = "[Alert] HighCPU (" + name + ")";
        AlertFacts f;
        f.key = key;
        f.episode = e;
        f.starts_at_unix = 1000;
        if (hosts.count(key) && hosts[key].id)
            f.issue = IssueState{hosts[key].id, hosts[key].open, hosts[key].parent, 0, 1000};
        if (hosts.count(key)) f.last = hosts[key].last;
        GroupFacts g;
        g.open_root = root;
        for (auto& [k, h] : hosts)
            if (k != key && h.open && h.id) g.other_hosts.push_back({k, h.id, h.parent});
        auto plan = plan_alert(f, g, options());
        REQUIRE(plan.verify_issue == 0);
        int64_t new_root = 0;
        for (const auto& a : plan.actions) {
            ++writes;
            if (a.kind == ActionKind::create_root) root = new_root = next_id++;
            if (a.kind == ActionKind::set_parent)
                for (auto& [k, h] : hosts)
                    if (h.id == a.issue)
                        h.parent = a.parent == kNewRoot ? new_root : a.parent.existing_id();
            if (a.kind == ActionKind::create_issue) {
                hosts[key].key = key;
                hosts[key].id = next_id++;
                hosts[key].parent = a.parent == kNewRoot ? new_root : a.parent.existing_id();
            }
        }
        if (plan.record_episode) hosts[key].last = e;
    };
    const Episode f1{"f1", "1", true}, f2{"f2", "2", true}, f3{"f3", "3", true},
        f4{"f4", "4", true};
    deliver("server01", f1);  // a
    CHECK(writes == 1);
    for (auto [n, e] : {std::pair{"server01", f1}, {"server02", f2}, {"server03", f3}})
        deliver(n, e);  // b
    CHECK(writes == 1 + 4);
    for (auto [n, e] :
         {std::pair{"server01", f1}, {"server02", f2}, {"server03", f3}, {"server04", f4}})
        deliver(n, e);  // c
    CHECK(writes == 6);
    deliver("server02", Episode{"f2", "2", false});  // d
    for (auto [n, e] : {std::pair{"server01", f1}, {"server03", f3}, {"server04", f4}})
        deliver(n, e);
    CHECK(writes == 7);
    for (auto [n, e] : {std::pair{"server01", f1}, {"server03", f3}, {"server04", f4}})
        deliver(n, e);  // e
    CHECK(writes == 7);
    for (auto [n, e] : {std::pair{"server01", f1}, {"server03", f3}, {"server04", f4}})
        deliver(n, Episode{e.fingerprint, e.starts_at, false});  // d2
    CHECK(writes == 10);
    for (auto& [k, h] : hosts) CHECK(h.parent == root);
}

TEST_CASE("describe_plan says what a plan writes, or why it writes nothing", "[planner]") {
    CHECK(describe_plan(plan_alert(firing(), {}, options())) == "create the ticket");
    GroupFacts second;
    second.other_hosts = {{"[Alert] HighCPU (server02)", 11, 0}};
    CHECK(describe_plan(plan_alert(firing(), second, options())) ==
          "create the Root, #11 joins the Root, create the ticket under the Root");
    GroupFacts rooted;
    rooted.open_root = 50;
    rooted.other_hosts = {{"[Alert] HighCPU (server02)", 11, 50}};
    CHECK(describe_plan(plan_alert(firing(), rooted, options())) ==
          "create the ticket under the Root (#50)");
    auto again = firing(open_issue(7), kFiring);
    again.episode = kFiringLater;
    CHECK(describe_plan(plan_alert(again, {}, options())) ==
          "read #7 in Redmine first, then plan again");
    again.verified = true;
    CHECK(describe_plan(plan_alert(again, {}, options())) == "再発 note (#7)");
    CHECK(describe_plan(plan_alert(firing(open_issue(7), kFiring), {}, options())) ==
          "nothing (a repeat of the episode already written)");
}
