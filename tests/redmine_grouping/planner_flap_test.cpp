// The planner's flap_window: changes within the window folded into one summary.
#include "planner.hpp"

#include "planner_test_support.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace tg::redmine;
using namespace tg::redmine::planner_test;

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
