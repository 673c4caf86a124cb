#include "planner.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace tg::redmine;

namespace {

const Episode kFiring{"fp1", "1000", true};
const Episode kFiringLater{"fp1", "2000", true};
const Episode kResolved{"fp1", "1000", false};

AlertFacts firing(std::optional<IssueState> issue = std::nullopt,
                  std::optional<Episode> last = std::nullopt) {
    AlertFacts f;
    f.key = "[Alert] HighCPU (server01)";
    f.episode = kFiring;
    f.starts_at_unix = 1000;
    f.issue = issue;
    f.last = last;
    return f;
}

AlertFacts resolved(std::optional<IssueState> issue, std::optional<Episode> last = kFiring) {
    AlertFacts f = firing(issue, last);
    f.episode = kResolved;
    return f;
}

IssueState open_issue(int64_t id, int64_t parent = 0) { return {id, true, parent, 0, 500}; }
IssueState closed_issue(int64_t id, int64_t closed_at, int64_t parent = 0) {
    return {id, false, parent, closed_at, 500};
}

PlanOptions options(bool close = false, int64_t window_s = 0, int64_t now = 10'000) {
    return {close, std::chrono::seconds(window_s), now};
}

Action act(ActionKind k, IssueRef issue, IssueRef parent = 0,
           std::string key = "[Alert] HighCPU (server01)", bool close = false) {
    return {k, issue, parent, std::move(key), close};
}

}  // namespace

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

namespace {

// A fake tracker for flap_window: one ticket, the state the executor would keep, and a clock the
// test moves. It applies plans as the executor does (flap windows opened and counted) and writes
// the summary as the flap_summary hook does once the window is settled.
struct FlapTracker {
    std::chrono::seconds window{600};
    bool close_on_resolve = false;
    int64_t now = 100'000;
    IssueState issue = open_issue(10);
    std::optional<Episode> last = kFiring;
    std::optional<FlapState> flap;
    std::vector<std::string> notes;
    int status_changes = 0;
    int episode = 0;

    void change(bool firing) {
        AlertFacts f;
        f.key = "[Alert] HighCPU (server01)";
        f.episode = {"fp1", firing ? std::to_string(1000 + ++episode) : last->starts_at, firing};
        f.starts_at_unix = 1;
        f.issue = issue;
        f.last = last;
        f.verified = true;
        f.flap = flap;
        Plan plan = plan_alert(f, {}, {close_on_resolve, std::chrono::seconds(0), now, window});
        for (const Action& a : plan.actions) {
            if (a.kind == ActionKind::note_recurrence) notes.push_back("再発");
            if (a.kind == ActionKind::note_resolved) {
                notes.push_back("解消");
                if (a.close) {
                    issue.open = false;
                    issue.closed_at = now;
                    ++status_changes;
                }
            }
            if (a.kind == ActionKind::reopen) {
                notes.push_back("再オープン");
                issue.open = true;
                ++status_changes;
            }
        }
        if (plan.flap == FlapStep::start) flap = FlapState{issue.id, now, now, 0, 0, firing};
        if (plan.flap == FlapStep::fold) {
            ++(firing ? flap->recurrences : flap->resolutions);
            flap->last_change = now;
            flap->firing = firing;
        }
        if (plan.record_episode) last = f.episode;
    }
    void hook() {
        if (!flap || !flap_settled(*flap, window, now)) return;
        if (flap->recurrences + flap->resolutions > 0)
            notes.push_back("summary " + std::to_string(flap->recurrences) + "/" +
                            std::to_string(flap->resolutions) +
                            (flap->firing ? " firing" : " resolved"));
        if (close_on_resolve && flap->firing == !issue.open) ++status_changes;
        flap.reset();
    }
};

}  // namespace

TEST_CASE("flap_window: 8 flaps in the window give one note for the first change and one summary",
          "[planner][flap]") {
    FlapTracker t;
    // Fired (the ticket exists), then 8 times resolved and fired again, a minute apart.
    for (int i = 0; i < 8; ++i) {
        t.change(false);
        t.now += 60;
        t.hook();  // the hook every minute: nothing is due while the ticket flaps
        t.change(true);
        t.now += 60;
        t.hook();
    }
    CHECK(t.notes == std::vector<std::string>{"解消"});
    t.now += 539;  // stable for 599 s since the last change: not yet the whole window
    t.hook();
    CHECK(t.notes.size() == 1);
    t.now += 1;
    t.hook();
    CHECK(t.notes == std::vector<std::string>{"解消", "summary 8/7 firing"});
    t.now += 3600;
    t.hook();
    CHECK(t.notes.size() == 2);
    // Stable for longer than the window: the next change is noted as usual and opens a window.
    t.change(false);
    CHECK(t.notes.back() == "解消");
    CHECK(t.flap);
}

TEST_CASE("flap_window: with close_on_resolve the status changes at most once per window",
          "[planner][flap]") {
    FlapTracker t;
    t.close_on_resolve = true;
    t.issue.closed_at = 0;
    for (int i = 0; i < 5; ++i) {
        t.change(false);
        t.now += 30;
        t.change(true);
        t.now += 30;
    }
    CHECK(t.notes == std::vector<std::string>{"解消"});
    CHECK(t.status_changes == 1);  // closed with the first resolve, the re-fires folded
    t.now += 600;
    t.hook();  // the summary reopens it: the alert is firing
    CHECK(t.notes.back() == "summary 5/4 firing");
    CHECK(t.status_changes == 2);
}

TEST_CASE("flap_window 0: every change is noted, nothing is folded", "[planner][flap]") {
    FlapTracker t;
    t.window = std::chrono::seconds(0);
    for (int i = 0; i < 3; ++i) {
        t.change(false);
        t.now += 60;
        t.change(true);
        t.now += 60;
    }
    CHECK(t.notes == std::vector<std::string>{"解消", "再発", "解消", "再発", "解消", "再発"});
    CHECK_FALSE(t.flap);
}

TEST_CASE("flap_window: a re-fire on a ticket a person closed before the window gets a new ticket",
          "[planner][flap]") {
    AlertFacts f = firing(closed_issue(10, 5000), kResolved);
    f.episode = kFiringLater;
    f.flap = FlapState{10, 9000, 9900, 1, 1, false};
    auto plan =
        plan_alert(f, {}, {false, std::chrono::seconds(0), 10'000, std::chrono::seconds(600)});
    CHECK(plan.flap == FlapStep::none);
    CHECK(plan.actions == std::vector<Action>{act(ActionKind::create_issue, kNewIssue, 0)});
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
