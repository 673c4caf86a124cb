#include "planner.hpp"

#include <charconv>

namespace tg::redmine {

namespace {

// Puts the alert's (open or about to be open) issue into its alertname's group. Returns the
// parent a new issue should be created under.
IssueRef group_into_root(const AlertFacts& alert, const GroupFacts& group, IssueRef self,
                         int64_t self_parent, std::vector<Action>& out) {
    // Without an open Root every other open host joins the new one; with one, only those under
    // no parent (a wave interrupted between creating the Root and moving them).
    std::vector<const HostIssue*> loose;
    for (const auto& h : group.other_hosts)
        if (group.open_root == 0 || h.parent_id == 0) loose.push_back(&h);
    IssueRef root = group.open_root;
    if (!root) {
        if (group.other_hosts.empty()) return 0;  // a single host: no Root yet
        out.push_back({ActionKind::create_root, 0, 0, alert.key});
        root = kNewRoot;
    }
    for (const auto* h : loose)
        if (IssueRef(h->parent_id) != root)
            out.push_back({ActionKind::set_parent, h->issue_id, root, h->key});
    if (self != kNewIssue && IssueRef(self_parent) != root)
        out.push_back({ActionKind::set_parent, self, root, alert.key});
    return root;
}

// max_children: whether a host without a ticket would be one too many under its Root (the one
// a second host creates counts the hosts it gathers).
bool past_limit(const GroupFacts& group, const PlanOptions& options) {
    if (options.max_children <= 0) return false;
    const int64_t tickets =
        group.open_root ? group.root_tickets : static_cast<int64_t>(group.other_hosts.size());
    return tickets >= options.max_children;
}

// Listed on the open Root and firing there.
bool firing_on_root(const AlertFacts& alert, const GroupFacts& group) {
    return alert.listed && group.open_root && alert.listed->root_id == group.open_root &&
           alert.listed->firing;
}

// A ticket for the alert, or past max_children a line in its Root's next batch note.
void create_new(const AlertFacts& alert, const GroupFacts& group, const PlanOptions& options,
                std::vector<Action>& out) {
    if (past_limit(group, options)) {
        const bool again =
            alert.listed && group.open_root && alert.listed->root_id == group.open_root;
        const IssueRef root = group_into_root(alert, group, kNewIssue, 0, out);
        out.push_back({ActionKind::list_host, root, 0, alert.key, false,
                       again ? HostChange::refired : HostChange::fired});
        return;
    }
    const IssueRef parent = group_into_root(alert, group, kNewIssue, 0, out);
    out.push_back({ActionKind::create_issue, kNewIssue, parent, alert.key});
}

// close_on_resolve: the Root closes with the last of its hosts, ticket or listed.
bool last_on_root(int64_t root, const GroupFacts& group) {
    if (group.listed_firing > 0) return false;
    for (const auto& h : group.other_hosts)
        if (h.parent_id == root) return false;
    return true;
}

}  // namespace

bool same_start(const Episode& a, const Episode& b, std::chrono::seconds tolerance) {
    if (a.starts_at.empty() || b.starts_at.empty()) return false;
    if (a.starts_at == b.starts_at) return true;
    int64_t x = 0, y = 0;
    const auto parsed = [](const std::string& text, int64_t& value) {
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        return error == std::errc() && end == text.data() + text.size();
    };
    if (!parsed(a.starts_at, x) || !parsed(b.starts_at, y)) return false;
    // Alertmanager's API gives startsAt cut to the millisecond, its webhook to the nanosecond:
    // one start, read by reconcile and by the webhook.
    constexpr int64_t ms = 1'000'000;
    if ((x % ms == 0 && y / ms == x / ms) || (y % ms == 0 && x / ms == y / ms)) return true;
    const auto apart = std::chrono::nanoseconds(x > y ? x - y : y - x);
    return tolerance.count() > 0 && apart <= tolerance;
}

namespace {

bool is_resend(const AlertFacts& alert, const PlanOptions& options) {
    if (!alert.last) return false;
    const Episode& last = *alert.last;
    const Episode& now = alert.episode;
    if (last == now) return true;  // a resend: no request at all
    if (last.fingerprint != now.fingerprint) return false;
    // The same state stamped twice: HA peers that each stamp a startsAt of their own on an alert
    // posted without one, a few milliseconds apart (firing, no resolve seen in between; or two
    // resolves of that one episode).
    if (last.firing == now.firing && same_start(last, now, options.episode_tolerance)) return true;
    // A late copy of the firing notification after its resolve (an HA peer, a retry): a real
    // re-fire always carries a new startsAt. Exactly equal: a re-fire soon after its resolve
    // (a fast flap) must not pass for a copy.
    return !last.firing && now.firing && same_start(last, now, std::chrono::seconds(0));
}

bool reopenable(const IssueState& issue, const PlanOptions& options) {
    return options.reopen_window.count() > 0 && issue.closed_at > 0 &&
           options.now_unix - issue.closed_at <= options.reopen_window.count();
}

// A change inside the open window of its ticket is folded. A re-fire on a ticket closed before
// the window opened (by a person), and not to be reopened, still gets its new ticket.
bool folds(const AlertFacts& alert, const PlanOptions& options) {
    if (options.flap_window.count() <= 0 || !alert.flap || !alert.issue) return false;
    const FlapState& flap = *alert.flap;
    const IssueState& issue = *alert.issue;
    if (flap.issue_id != issue.id || flap_settled(flap, options.flap_window, options.now_unix))
        return false;
    if (!alert.episode.firing || issue.open) return true;
    return issue.closed_at >= flap.started_at || reopenable(issue, options);
}

Plan plan_change(const AlertFacts& alert, const GroupFacts& group, const PlanOptions& options) {
    Plan plan;
    plan.record_episode = true;
    const auto& issue = alert.issue;

    if (!alert.episode.firing) {
        if ((!issue || !issue->open) && firing_on_root(alert, group)) {
            plan.actions.push_back({ActionKind::list_host, group.open_root, 0, alert.key, false,
                                    HostChange::resolved});
            if (options.close_on_resolve && last_on_root(group.open_root, group))
                plan.actions.push_back({ActionKind::close_root, group.open_root, 0, alert.key});
            return plan;
        }
        if (!issue || !issue->open) return plan;  // nothing open to tell
        plan.actions.push_back(
            {ActionKind::note_resolved, issue->id, 0, alert.key, options.close_on_resolve});
        if (options.close_on_resolve && issue->parent_id != 0 &&
            issue->parent_id == group.open_root && last_on_root(issue->parent_id, group))
            plan.actions.push_back({ActionKind::close_root, group.open_root, 0, alert.key});
        return plan;
    }

    if (!issue) {
        create_new(alert, group, options, plan.actions);
        return plan;
    }

    if (issue->open) {
        // After a rebuild the episode is unknown: an alert that started before Redmine last saw
        // the issue is the one it was written for, not a recurrence.
        if (!alert.last && !alert.verified && alert.starts_at_unix != 0 &&
            alert.starts_at_unix <= issue->synced_at)
            return plan;
        if (!alert.last && alert.starts_at_unix == 0 && !alert.verified) return plan;
        if (!alert.verified) {
            plan.verify_issue = issue->id;
            plan.record_episode = false;
            return plan;
        }
        plan.actions.push_back({ActionKind::note_recurrence, issue->id, 0, alert.key});
        group_into_root(alert, group, issue->id, issue->parent_id, plan.actions);
        return plan;
    }

    // A person may have closed it "won't fix" (or changed a closed status to that): read first.
    if (options.wont_fix && !alert.verified) {
        plan.verify_issue = issue->id;
        plan.record_episode = false;
        return plan;
    }
    if (alert.wont_fix && (options.reopen_window.count() == 0 || reopenable(*issue, options))) {
        plan.wont_fix = true;
        return plan;
    }
    if (!reopenable(*issue, options)) {
        create_new(alert, group, options, plan.actions);
        return plan;
    }
    // Redmine silently refuses to reopen a child under a closed parent: detach it first.
    int64_t parent = issue->parent_id;
    if (parent != 0 && parent != group.open_root) {
        plan.actions.push_back({ActionKind::set_parent, issue->id, 0, alert.key});
        parent = 0;
    }
    plan.actions.push_back({ActionKind::reopen, issue->id, 0, alert.key});
    group_into_root(alert, group, issue->id, parent, plan.actions);
    return plan;
}

}  // namespace

bool flap_settled(const FlapState& flap, std::chrono::seconds window, int64_t now_unix) {
    return now_unix - flap.last_change >= window.count();
}

Plan plan_alert(const AlertFacts& alert, const GroupFacts& group, const PlanOptions& options) {
    if (is_resend(alert, options)) return Plan{};
    if (folds(alert, options)) {
        Plan plan;
        plan.record_episode = true;
        plan.flap = FlapStep::fold;
        return plan;
    }
    Plan plan = plan_change(alert, group, options);
    if (options.flap_window.count() > 0)
        for (const Action& a : plan.actions)
            if (a.kind == ActionKind::note_recurrence || a.kind == ActionKind::note_resolved ||
                a.kind == ActionKind::reopen)
                plan.flap = FlapStep::start;
    return plan;
}

std::string describe_plan(const Plan& plan) {
    if (plan.verify_issue)
        return "read #" + std::to_string(plan.verify_issue) + " in Redmine first, then plan again";
    if (plan.actions.empty()) {
        if (plan.wont_fix) return "nothing (its ticket was closed as won't fix)";
        if (plan.flap == FlapStep::fold) return "nothing (folded into the open flap window)";
        if (!plan.record_episode) return "nothing (a repeat of the episode already written)";
        return "nothing (no ticket to change)";
    }
    auto on = [](IssueRef ref) {
        return ref.existing_id() ? " (#" + std::to_string(ref.existing_id()) + ")" : std::string();
    };
    std::string text;
    for (const Action& a : plan.actions) {
        if (!text.empty()) text += ", ";
        switch (a.kind) {
            case ActionKind::create_root:
                text += "create the Root";
                break;
            case ActionKind::create_issue:
                text += a.parent ? "create the ticket under the Root" + on(a.parent)
                                 : "create the ticket";
                break;
            case ActionKind::set_parent:
                text += a.issue.existing_id()
                            ? "#" + std::to_string(a.issue.existing_id()) + " joins the Root"
                            : std::string("join the Root");
                break;
            case ActionKind::note_recurrence:
                text += "再発 note" + on(a.issue);
                break;
            case ActionKind::note_resolved:
                text += (a.close ? "解消 note and close" : "解消 note") + on(a.issue);
                break;
            case ActionKind::reopen:
                text += "reopen" + on(a.issue);
                break;
            case ActionKind::close_root:
                text += "close the Root" + on(a.issue);
                break;
            case ActionKind::list_host:
                text += "listed on the Root" + on(a.issue) + " past max_children";
                break;
        }
    }
    return text;
}

}  // namespace tg::redmine
