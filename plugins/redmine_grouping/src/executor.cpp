#include "executor.hpp"

#include "alert_key.hpp"
#include "created_lookup.hpp"

#include <algorithm>

namespace tg::redmine {

AlertFacts Executor::facts_for(const Alert& alert, const std::string& key) {
    AlertFacts f;
    f.key = key;
    f.episode = {alert.fingerprint, alert.episode_start(), alert.firing};
    f.starts_at_unix = alert.starts_at ? unix_seconds(*alert.starts_at) : 0;
    f.issue = store_.issue(key);
    f.last = store_.episode(key);
    if (config_.flap_window.count() > 0) f.flap = store_.flap(key);
    if (config_.max_children > 0)
        if (auto listed = store_.listed(key))
            f.listed = ListedHost{listed->root_id, listed->firing};
    return f;
}

GroupFacts Executor::group_for(const std::string& group, const std::string& key) {
    GroupFacts g;
    if (auto root = store_.root(group); root && root->open) g.open_root = root->id;
    for (auto& h : store_.open_hosts(group))
        if (h.key != key) g.other_hosts.push_back(std::move(h));
    if (config_.max_children > 0 && g.open_root) {
        g.root_tickets = store_.root_tickets(g.open_root);
        g.listed_firing = store_.listed_firing(g.open_root, key);
    }
    return g;
}

void Executor::verify(AlertFacts& facts, const std::string& group) {
    const int64_t id = facts.issue->id;
    auto issue = tracker_.find_issue(id, IssueDetail::plain);
    facts.verified = true;
    if (!issue) {
        host_.warn("issue #" + std::to_string(id) + " of '" + facts.key +
                   "' no longer exists in Redmine; a new one will be created");
        store_.forget_issue(facts.key);
        facts.issue.reset();
        return;
    }
    IssueState s = *facts.issue;
    s.open = !statuses_.issue_closed(issue);
    s.parent_id = parent_of(issue);
    s.closed_at = s.open ? 0 : time_of(issue, "closed_on");
    store_.put_issue(facts.key, group, s);
    facts.issue = s;
    facts.wont_fix = !s.open && wont_fix_status(id_in(issue, "status"));
}

bool Executor::wont_fix_status(int64_t status_id) {
    for (const auto& ref : config_.wont_fix_statuses)
        if (statuses_.resolve(ref, "wont_fix_statuses") == status_id) return true;
    return false;
}

void Executor::apply(const Alert& alert, const std::string& external_url, TimePoint now) {
    const std::string key = ticket_key(alert, config_.key_labels);
    const std::string group_name = group_of(alert, config_.key_labels);
    const std::string root = root_key(alert, config_.key_labels);
    PlanOptions options{config_.close_on_resolve,
                        config_.reopen_window,
                        unix_seconds(now),
                        config_.flap_window,
                        !config_.wont_fix_statuses.empty(),
                        config_.episode_tolerance,
                        config_.max_children};
    bool verified = false, wont_fix = false;  // what the read of the issue found
    dropped_.clear();
    for (int attempt = 0;; ++attempt) {
        AlertFacts facts = facts_for(alert, key);
        facts.verified = verified;
        facts.wont_fix = wont_fix;
        GroupFacts group = group_for(group_name, key);
        Plan plan = plan_alert(facts, group, options);
        if (plan.verify_issue != 0) {
            if (verified)
                throw tg::Drop("internal error: the planner asked twice to read an issue");
            verify(facts, group_name);
            verified = true;
            wont_fix = facts.wont_fix;
            continue;
        }
        if (plan.flap == FlapStep::start && facts.flap) {
            // The window settled but the hook has not written its summary yet: it goes first,
            // and may have changed the status this plan was made for.
            summarise_flap(key, *facts.flap, now);
            continue;
        }
        if (!plan.actions.empty())  // the texts of this plan in Redmine's formatting, once known
            formats_.ensure(facts.issue                 ? facts.issue->id
                            : group.open_root           ? group.open_root
                            : group.other_hosts.empty() ? 0
                                                        : group.other_hosts.front().issue_id);
        if (tracker_.dry_run())
            host_.info("dry run: '" + key + "' (Root '" + root + "'): " + describe_plan(plan));
        TextContext context;
        context.alert = &alert;
        context.external_url = external_url;
        context.now = now;
        context.key = key;
        context.root_key = root;
        context.group_tickets = group.other_hosts.size() + (alert.firing ? 1 : 0);
        if (run(plan, facts, group_name, context) == RunOutcome::replan) {
            if (attempt >= 2)
                throw tg::Drop("'" + key + "': the state kept changing while applying it");
            continue;
        }
        record_flap(plan, facts, unix_seconds(now));
        if (plan.wont_fix) {
            host_.info("'" + key + "' fired again; its issue #" + std::to_string(facts.issue->id) +
                       " was closed as won't fix (wont_fix_statuses): no ticket, nothing written");
            if (!tracker_.dry_run()) host_.count("redmine_wont_fix_refires_total");
        }
        if (plan.record_episode) {
            store_.put_episode(key, facts.episode);
            // What a resolve the reconcile hook finds is applied with (Alertmanager's list no
            // longer has the alert to take them from).
            if (alert.firing) store_.put_alert_labels(key, labels_json(alert.labels));
        }
        // After the episode: a failure here retries the delivery, which finds its notes written
        // and only follows the priority again (a resend costs no request once it is in line).
        if (config_.update_priority)
            follow_priority(
                alert, key,
                std::any_of(plan.actions.begin(), plan.actions.end(),
                            [](const Action& a) { return a.kind == ActionKind::create_issue; }));
        // The alert is recorded as far as it went, and not reported delivered: the tree (or the
        // key) is not what the sink wrote.
        if (!dropped_.empty()) {
            std::string message;
            for (const auto& why : dropped_) message += (message.empty() ? "" : " | ") + why;
            throw tg::Drop(message);
        }
        return;
    }
}

void Executor::apply_in_group(const Alert& alert, const std::string& external_url, TimePoint now) {
    const auto lock = store_.lock(group_lock_name(root_key(alert, config_.key_labels)));
    apply(alert, external_url, now);
}

// redmine_actions_total{action}: what reached Redmine (not counted in a dry run).
void Executor::counted(const char* action) {
    if (!tracker_.dry_run()) host_.count("redmine_actions_total", std::string("action=") + action);
}

Executor::RunOutcome Executor::run(const Plan& plan, const AlertFacts& facts,
                                   const std::string& group, const TextContext& context) {
    int64_t new_root = 0, new_issue = 0;  // made by this plan's creates
    auto target = [&](IssueRef ref) {
        if (ref.pending() == IssueRef::Pending::no) return ref.existing_id();
        const int64_t made = ref.pending() == IssueRef::Pending::root ? new_root : new_issue;
        if (made == 0) throw tg::Drop("internal error: a plan refers to an issue not created yet");
        return made;
    };
    for (const Action& a : plan.actions) {
        std::optional<int64_t> made;
        switch (a.kind) {
            case ActionKind::create_root:
                if (!(made = create_root(group, context))) return RunOutcome::replan;
                new_root = *made;
                break;
            case ActionKind::create_issue:
                if (!(made = create_ticket(facts, group, target(a.parent), context)))
                    return RunOutcome::replan;
                new_issue = *made;
                break;
            default:
                if (update(a, target(a.issue), target(a.parent), context) == RunOutcome::replan)
                    return RunOutcome::replan;
        }
    }
    return RunOutcome::done;
}

std::optional<int64_t> Executor::create_root(const std::string& group, const TextContext& context) {
    const std::string subject = text_.shape("root_subject", context, context.root_key);
    const std::string description = text_.shape("root_description", context,
                                                text_.root_description(context.alert->alertname()));
    const auto c = create(context.root_key, subject, description, 0, context, true);
    if (!c) return std::nullopt;
    store_.put_root(group, {c->id, true});
    store_.clear_intent(context.root_key);
    counted("created");
    return c->id;
}

std::optional<int64_t> Executor::create_ticket(const AlertFacts& facts, const std::string& group,
                                               int64_t parent, const TextContext& context) {
    const std::string subject = text_.shape("subject", context, facts.key);
    const std::string description = text_.shape(
        "description", context, text_.description(*context.alert, context.external_url));
    const auto c = create(facts.key, subject, description, parent, context, false);
    if (!c) return std::nullopt;
    store_.put_issue(facts.key, group, {c->id, true, c->parent, 0, unix_seconds(context.now)});
    store_.clear_intent(facts.key);
    if (config_.max_children > 0) store_.forget_listed(facts.key);  // it has a ticket now
    if (formats_.learn_from_created(c->id)) rewrite_description(c->id, description, context);
    counted("created");
    return c->id;
}

Executor::RunOutcome Executor::update(const Action& a, int64_t issue, int64_t parent,
                                      const TextContext& context) {
    const Alert& alert = *context.alert;
    switch (a.kind) {
        case ActionKind::set_parent:
            if (!set_parent(issue, parent)) return RunOutcome::replan;
            counted("parented");
            break;
        case ActionKind::note_recurrence:
            note(issue,
                 text_.shape("recurrence_note", context,
                             text_.recurrence_note(alert, context.external_url)),
                 "再発 note");
            counted("noted");
            break;
        case ActionKind::note_resolved: {
            const std::string resolved =
                text_.shape("resolved_note", context, text_.resolved_note(alert, context.now));
            if (a.close) {
                const int64_t done = statuses_.resolve(config_.status_done, "status_done");
                change_status(issue, done, resolved, "解消 and close");
                store_.set_open(issue, false, unix_seconds(context.now));
                counted("closed");
            } else {
                note(issue, resolved, "解消 note");
            }
            counted("resolved");
            break;
        }
        case ActionKind::reopen:
            change_status(
                issue, statuses_.reopen_status(config_.tracker_id),
                text_.shape("reopen_note", context, text_.reopen_note(alert, context.external_url)),
                "reopen");
            store_.set_open(issue, true, 0);
            counted("reopened");
            break;
        case ActionKind::close_root:
            change_status(
                issue, statuses_.resolve(config_.status_done, "status_done"),
                text_.shape("root_closed_note", context, text_.root_closed_note(context.now)),
                "close the Root");
            store_.set_root_open(issue, false);
            counted("closed");
            break;
        case ActionKind::list_host:
            list_host(a, issue, context);
            break;
        case ActionKind::create_root:
        case ActionKind::create_issue:
            break;  // run() makes them
    }
    return RunOutcome::done;
}

std::optional<Executor::Created> Executor::create(const std::string& key,
                                                  const std::string& subject,
                                                  const std::string& description, int64_t parent,
                                                  const TextContext& context, bool root) {
    const int64_t now_unix = unix_seconds(context.now);
    // A crash between a create and its record leaves the intent behind: look before creating.
    if (auto since = store_.intent(key)) {
        if (auto found = find_created_issue(tracker_, config_, key, subject, *since)) {
            host_.info("adopting issue #" + std::to_string(found->id) + " '" + subject +
                       "' created by an interrupted attempt");
            const auto kept =
                found->parent != parent ? set_parent(found->id, parent) : found->parent;
            if (!kept) return std::nullopt;
            return Created{found->id, *kept};
        }
    }
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("project_id", config_.project);
    if (config_.tracker_id) fields->set("tracker_id", config_.tracker_id);
    fields->set("subject", subject);
    fields->set("description", description);
    if (parent) fields->set("parent_issue_id", parent);
    fields_.add(*fields, context, key, root);  // may read names from Redmine: before the intent
    store_.put_intent(key, now_unix);
    Poco::JSON::Object::Ptr issue;
    try {
        issue = tracker_.create_issue(
            *fields, "create '" + subject + "'" +
                         (parent ? " under #" + std::to_string(parent) : std::string()));
    } catch (const tg::Drop&) {
        store_.clear_intent(key);  // refused: nothing was created
        if (parent > 0 && forget_closed_root(parent)) return std::nullopt;
        throw;
    }
    try {
        fields_.check_saved(*fields, issue);
    } catch (const std::exception& e) {  // the issue exists: a failed read-back must not undo it
        host_.warn("issue #" + std::to_string(issue->getValue<Poco::Int64>("id")) +
                   ": its fields could not be read back: " + e.what());
    }
    if (tracker_.dry_run()) return Created{issue->getValue<Poco::Int64>("id"), parent};
    report(dropped_from_created(issue, config_, key, parent));
    return Created{issue->getValue<Poco::Int64>("id"), parent_of(issue)};  // what Redmine kept
}

void Executor::rewrite_description(int64_t issue_id, const std::string& sent,
                                   const TextContext& context) {
    const std::string now = text_.shape("description", context,
                                        text_.description(*context.alert, context.external_url));
    if (now == sent) return;
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("description", now);
    try {  // the issue is right already, only plainer: a failure must not undo the alert
        tracker_.update_issue(issue_id, *fields, "description in Redmine's formatting");
    } catch (const std::exception& e) {
        host_.warn("issue #" + std::to_string(issue_id) +
                   ": its format-neutral description stays: " + e.what());
    }
}

bool Executor::forget_closed_root(int64_t parent_id) {
    // Redmine refuses an open child under a closed parent (422). If the Root was closed by a
    // person, forget it and plan again: the wave gets a new Root.
    const auto issue = tracker_.find_issue(parent_id, IssueDetail::plain);
    const bool gone = !issue || statuses_.issue_closed(issue);
    if (!gone) return false;
    host_.info("Root #" + std::to_string(parent_id) +
               " is closed or gone; the alerts get a new Root");
    store_.set_root_open(parent_id, false);
    store_.close_children(parent_id, issue ? time_of(issue, "closed_on") : 0);
    return true;
}

std::optional<int64_t> Executor::set_parent(int64_t issue_id, int64_t parent_id) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    if (parent_id)
        fields->set("parent_issue_id", parent_id);
    else
        fields->set("parent_issue_id", std::string());
    try {
        tracker_.update_issue(
            issue_id, *fields,
            parent_id ? "parent #" + std::to_string(parent_id) : std::string("no parent"));
    } catch (const tg::Drop&) {
        if (parent_id > 0 && forget_closed_root(parent_id)) return std::nullopt;
        throw;
    }
    if (tracker_.dry_run()) {  // the dry run's state is undone at its end
        store_.set_parent(issue_id, parent_id);
        return parent_id;
    }
    // Redmine answers 204 to a parent it dropped: read it back.
    const int64_t saved = parent_of(tracker_.issue(issue_id));
    store_.set_parent(issue_id, saved);
    report(dropped_parent(issue_id, parent_id, saved, config_));
    return saved;
}

void Executor::report(const std::vector<DroppedField>& dropped) {
    for (const auto& d : dropped) {
        host_.error(d.why);
        host_.count("redmine_ignored_fields_total", "field=" + d.field);
        dropped_.push_back(d.why);
    }
}

}  // namespace tg::redmine
