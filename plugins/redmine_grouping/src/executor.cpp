#include "executor.hpp"

#include "alert_key.hpp"
#include "created_lookup.hpp"
#include "priority_rules.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Array.h>
#include <Poco/SHA2Engine.h>

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
    return f;
}

GroupFacts Executor::group_for(const std::string& group, const std::string& key) {
    GroupFacts g;
    if (auto root = store_.root(group); root && root->open) g.open_root = root->id;
    for (auto& h : store_.open_hosts(group))
        if (h.key != key) g.other_hosts.push_back(std::move(h));
    return g;
}

void Executor::verify(AlertFacts& facts, const std::string& group) {
    const int64_t id = facts.issue->id;
    auto answer = client_.get_if_exists(issue_path(id));
    facts.verified = true;
    if (!answer || !answer->getObject("issue")) {
        host_.warn("issue #" + std::to_string(id) + " of '" + facts.key +
                   "' no longer exists in Redmine; a new one will be created");
        store_.forget_issue(facts.key);
        facts.issue.reset();
        return;
    }
    auto issue = answer->getObject("issue");
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
    PlanOptions options{config_.close_on_resolve,
                        config_.reopen_window,
                        unix_seconds(now),
                        config_.flap_window,
                        !config_.wont_fix_statuses.empty(),
                        config_.episode_tolerance};
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
        if (client_.dry_run())
            host_.info("dry run: '" + key + "' (Root '" + root_key(alert, config_.key_labels) +
                       "'): " + describe_plan(plan));
        TextContext context;
        context.alert = &alert;
        context.external_url = external_url;
        context.now = now;
        context.key = key;
        context.root_key = root_key(alert, config_.key_labels);
        context.group_tickets = group.other_hosts.size() + (alert.firing ? 1 : 0);
        try {
            run(plan, facts, group_name, context);
        } catch (const Replan&) {
            if (attempt >= 2)
                throw tg::Drop("'" + key + "': the state kept changing while applying it");
            continue;
        }
        record_flap(plan, facts, unix_seconds(now));
        if (plan.wont_fix) {
            host_.info("'" + key + "' fired again; its issue #" + std::to_string(facts.issue->id) +
                       " was closed as won't fix (wont_fix_statuses): no ticket, nothing written");
            if (!client_.dry_run()) host_.count("redmine_wont_fix_refires_total");
        }
        if (plan.record_episode) store_.put_episode(key, facts.episode);
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

bool Executor::summarise_flap(const std::string& key, const FlapState& flap, TimePoint now) {
    const int64_t id = flap.issue_id;
    if (flap.recurrences + flap.resolutions == 0) {
        store_.forget_flap(key);
        return false;
    }
    auto answer = client_.get_if_exists(issue_path(id));
    auto issue = answer ? answer->getObject("issue") : nullptr;
    if (!issue) {
        host_.warn("issue #" + std::to_string(id) + " of '" + key +
                   "' no longer exists in Redmine; its flap summary is not written");
        store_.forget_flap(key);
        return false;
    }
    const bool closed = statuses_.issue_closed(issue);
    if (closed && wont_fix_status(id_in(issue, "status"))) {
        host_.info("issue #" + std::to_string(id) + " of '" + key +
                   "' was closed as won't fix: its flap summary is not written");
        store_.forget_flap(key);
        return false;
    }
    formats_.ensure(id);
    const auto at = [](int64_t unix) { return TimePoint(std::chrono::seconds(unix)); };
    const std::string text = text_.flap_summary_note(
        flap.recurrences, flap.resolutions, at(flap.started_at), at(flap.last_change), flap.firing);
    if (config_.close_on_resolve && !flap.firing && !closed) {
        change_status(id, statuses_.resolve(config_.status_done, "status_done"), text,
                      "flap summary and close");
        store_.set_open(id, false, unix_seconds(now));
    } else if (config_.close_on_resolve && flap.firing && closed) {
        change_status(id, statuses_.reopen_status(config_.tracker_id), text,
                      "flap summary and reopen");
        store_.set_open(id, true, 0);
    } else {
        note(id, text, "flap summary note");
    }
    store_.forget_flap(key);
    if (!client_.dry_run()) host_.count("redmine_actions_total", "action=flap_summary");
    host_.info("'" + key + "': flap summary written on #" + std::to_string(id) + " (" +
               std::to_string(flap.recurrences) + " re-fire(s), " +
               std::to_string(flap.resolutions) + " resolve(s), now " +
               (flap.firing ? "firing" : "resolved") + ")");
    return true;
}

void Executor::follow_priority(const Alert& alert, const std::string& key, bool created) {
    // Alertmanager always sends the fingerprint; a hand-made notification may not: its labels
    // tell the alerts of a ticket apart then.
    std::string identity = alert.fingerprint;
    if (identity.empty())
        for (const auto& [name, value] : alert.labels) identity += name + "=" + value + "\x1f";
    if (alert.firing) {
        if (auto id = fields_.priority_id(alert)) store_.put_active_alert(key, identity, *id);
    } else {
        store_.forget_active_alert(key, identity);
    }
    const auto issue = store_.issue(key);
    if (!issue || !issue->open) return;
    const auto wanted = highest_priority(store_.active_priorities(key),
                                         [this](int64_t id) { return fields_.priority_rank(id); });
    if (!wanted) return;  // nothing fires: the priority stays as it was
    if (created) {        // created with this alert's priority, the only one firing
        store_.put_ticket_priority(key, {issue->id, *wanted, false});
        return;
    }
    auto known = store_.ticket_priority(key);
    if (known && known->issue_id != issue->id) known.reset();  // a new ticket of the key
    if (known && (known->by_hand || known->priority_id == *wanted)) return;

    auto json = client_.get(issue_path(issue->id) + "?include=journals")->getObject("issue");
    if (!json) throw tg::RetryLater("Redmine answered no issue #" + std::to_string(issue->id));
    const int64_t current = id_in(json, "priority");
    const bool by_hand = priority_set_by_hand(
        json->getArray("journals"), [this](const std::string& notes, int64_t from, int64_t to) {
            return text_.is_priority_note(notes, fields_.priority_name(from),
                                          fields_.priority_name(to));
        });
    if (by_hand) {
        store_.put_ticket_priority(key, {issue->id, current, true});
        host_.info("issue #" + std::to_string(issue->id) + " of '" + key +
                   "': its priority was changed by a person; update_priority leaves it alone");
        return;
    }
    if (current == *wanted) {
        store_.put_ticket_priority(key, {issue->id, current, false});
        return;
    }
    formats_.ensure(issue->id);
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("priority_id", *wanted);
    const std::string notes =
        text_.priority_note(fields_.priority_name(current), fields_.priority_name(*wanted));
    fields->set("notes", notes);
    put_with_notes(issue->id, fields, notes, "priority #" + std::to_string(*wanted));
    store_.put_ticket_priority(key, {issue->id, *wanted, false});
    if (!client_.dry_run()) host_.count("redmine_actions_total", "action=priority");
}

void Executor::record_flap(const Plan& plan, const AlertFacts& facts, int64_t now_unix) {
    const bool firing = facts.episode.firing;
    if (plan.flap == FlapStep::start && facts.issue) {
        store_.put_flap(facts.key, {facts.issue->id, now_unix, now_unix, 0, 0, firing});
    } else if (plan.flap == FlapStep::fold && facts.flap) {
        FlapState flap = *facts.flap;
        ++(firing ? flap.recurrences : flap.resolutions);
        flap.last_change = now_unix;
        flap.firing = firing;
        store_.put_flap(facts.key, flap);
        host_.info("'" + facts.key + "': " + (firing ? "re-fire" : "resolve") + " folded into #" +
                   std::to_string(flap.issue_id) + "'s flap summary (" +
                   std::to_string(flap.recurrences) + " re-fire(s), " +
                   std::to_string(flap.resolutions) + " resolve(s) so far)");
        if (!client_.dry_run())
            host_.count("redmine_folded_changes_total",
                        firing ? "change=refire" : "change=resolve");
    }
}

void Executor::run(const Plan& plan, const AlertFacts& facts, const std::string& group,
                   const TextContext& context) {
    const Alert& alert = *context.alert;
    const std::string& external_url = context.external_url;
    const TimePoint now = context.now;
    const int64_t now_unix = unix_seconds(now);
    int64_t new_root = 0, new_issue = 0;
    // redmine_actions_total{action}: what reached Redmine (not counted in a dry run).
    auto counted = [&](const char* action) {
        if (!client_.dry_run())
            host_.count("redmine_actions_total", std::string("action=") + action);
    };
    auto target = [&](int64_t id) {
        if (id == kNewRoot) return new_root;
        if (id == kNewIssue) return new_issue;
        return id;
    };
    for (const Action& a : plan.actions) {
        switch (a.kind) {
            case ActionKind::create_root: {
                const std::string subject = text_.shape("root_subject", context, context.root_key);
                const std::string description = text_.shape(
                    "root_description", context, text_.root_description(alert.alertname()));
                Created c = create(context.root_key, subject, description, 0, context, true);
                store_.put_root(group, {c.id, true});
                store_.clear_intent(context.root_key);
                new_root = c.id;
                counted("created");
                break;
            }
            case ActionKind::create_issue: {
                const int64_t parent = target(a.parent);
                const std::string subject = text_.shape("subject", context, facts.key);
                const std::string description =
                    text_.shape("description", context, text_.description(alert, external_url));
                Created c = create(facts.key, subject, description, parent, context, false);
                store_.put_issue(facts.key, group, {c.id, true, c.parent, 0, now_unix});
                store_.clear_intent(facts.key);
                if (formats_.learn_from_created(c.id))
                    rewrite_description(c.id, description, context);
                new_issue = c.id;
                counted("created");
                break;
            }
            case ActionKind::set_parent: {
                const int64_t parent = target(a.parent);
                set_parent(target(a.issue), parent);
                counted("parented");
                break;
            }
            case ActionKind::note_recurrence:
                note(a.issue,
                     text_.shape("recurrence_note", context,
                                 text_.recurrence_note(alert, external_url)),
                     "再発 note");
                counted("noted");
                break;
            case ActionKind::note_resolved: {
                const std::string resolved =
                    text_.shape("resolved_note", context, text_.resolved_note(alert, now));
                if (a.close) {
                    const int64_t done = statuses_.resolve(config_.status_done, "status_done");
                    change_status(a.issue, done, resolved, "解消 and close");
                    store_.set_open(a.issue, false, now_unix);
                    counted("closed");
                } else {
                    note(a.issue, resolved, "解消 note");
                }
                counted("resolved");
                break;
            }
            case ActionKind::reopen: {
                const int64_t open = statuses_.reopen_status(config_.tracker_id);
                change_status(
                    a.issue, open,
                    text_.shape("reopen_note", context, text_.reopen_note(alert, external_url)),
                    "reopen");
                store_.set_open(a.issue, true, 0);
                counted("reopened");
                break;
            }
            case ActionKind::close_root: {
                const int64_t done = statuses_.resolve(config_.status_done, "status_done");
                change_status(a.issue, done,
                              text_.shape("root_closed_note", context, text_.root_closed_note(now)),
                              "close the Root");
                store_.set_root_open(a.issue, false);
                counted("closed");
                break;
            }
        }
    }
}

Executor::Created Executor::create(const std::string& key, const std::string& subject,
                                   const std::string& description, int64_t parent,
                                   const TextContext& context, bool root) {
    const int64_t now_unix = unix_seconds(context.now);
    // A crash between a create and its record leaves the intent behind: look before creating.
    if (auto since = store_.intent(key)) {
        if (auto found = find_created_issue(client_, config_, key, subject, *since)) {
            host_.info("adopting issue #" + std::to_string(found->id) + " '" + subject +
                       "' created by an interrupted attempt");
            const int64_t kept =
                found->parent != parent ? set_parent(found->id, parent) : found->parent;
            return Created{found->id, kept};
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
    Poco::JSON::Object::Ptr answer;
    try {
        answer = client_.post("/issues.json", wrap_issue(fields),
                              "create '" + subject + "'" +
                                  (parent ? " under #" + std::to_string(parent) : std::string()));
    } catch (const tg::Drop& refusal) {
        store_.clear_intent(key);  // refused: nothing was created
        if (parent > 0) check_parent_after_refusal(parent, refusal);
        throw;
    }
    auto issue = answer->getObject("issue");
    if (!issue || !issue->has("id"))
        throw tg::RetryLater("Redmine POST /issues.json answered without an issue id");
    try {
        fields_.check_saved(*fields, issue);
    } catch (const std::exception& e) {  // the issue exists: a failed read-back must not undo it
        host_.warn("issue #" + std::to_string(issue->getValue<Poco::Int64>("id")) +
                   ": its fields could not be read back: " + e.what());
    }
    if (client_.dry_run()) return Created{issue->getValue<Poco::Int64>("id"), parent};
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
        client_.put(issue_path(issue_id), wrap_issue(fields),
                    "description in Redmine's formatting");
    } catch (const std::exception& e) {
        host_.warn("issue #" + std::to_string(issue_id) +
                   ": its format-neutral description stays: " + e.what());
    }
}

void Executor::check_parent_after_refusal(int64_t parent_id, const tg::Drop& refusal) {
    // Redmine refuses an open child under a closed parent (422). If the Root was closed by a
    // person, forget it and plan again: the wave gets a new Root.
    auto answer = client_.get_if_exists(issue_path(parent_id));
    const bool gone = !answer || !answer->getObject("issue") ||
                      statuses_.issue_closed(answer->getObject("issue"));
    if (!gone) throw refusal;
    host_.info("Root #" + std::to_string(parent_id) +
               " is closed or gone; the alerts get a new Root");
    store_.set_root_open(parent_id, false);
    const auto issue = answer ? answer->getObject("issue") : nullptr;
    store_.close_children(parent_id, issue ? time_of(issue, "closed_on") : 0);
    throw Replan{};
}

int64_t Executor::set_parent(int64_t issue_id, int64_t parent_id) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    if (parent_id)
        fields->set("parent_issue_id", parent_id);
    else
        fields->set("parent_issue_id", std::string());
    try {
        client_.put(issue_path(issue_id), wrap_issue(fields),
                    parent_id ? "parent #" + std::to_string(parent_id) : std::string("no parent"));
    } catch (const tg::Drop& refusal) {
        if (parent_id > 0) check_parent_after_refusal(parent_id, refusal);
        throw;
    }
    if (client_.dry_run()) {  // the dry run's state is undone at its end
        store_.set_parent(issue_id, parent_id);
        return parent_id;
    }
    // Redmine answers 204 to a parent it dropped: read it back.
    auto answer = client_.get(issue_path(issue_id))->getObject("issue");
    const int64_t saved = parent_of(answer);
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

namespace {

std::string digest_of(const std::string& text) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(text);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

// Redmine keeps a note's text as sent, apart from line ends and trailing blanks.
std::string normalised(const std::string& text) {
    std::string out;
    for (char c : text)
        if (c != '\r') out += c;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace

// Redmine has no idempotency key: a PUT whose answer was lost (the connection broke) may have
// written its note. Before such a note is sent again, the issue's journals since the first try
// are searched for it; without a lost answer this costs two local state writes and no request.
void Executor::put_with_notes(int64_t issue_id, Poco::JSON::Object::Ptr fields,
                              const std::string& notes, const std::string& why) {
    if (notes.empty() || client_.dry_run()) {
        client_.put(issue_path(issue_id), wrap_issue(fields), why);
        return;
    }
    const std::string digest = digest_of(notes);
    if (auto since = store_.note_intent(issue_id, digest)) {
        auto issue = client_.get(issue_path(issue_id) + "?include=journals")->getObject("issue");
        auto journals = issue ? issue->getArray("journals") : nullptr;
        for (size_t i = 0; journals && i < journals->size(); ++i) {
            auto journal = journals->getObject(i);
            const auto at = time_of(journal, "created_on");
            if (at + 60 < *since) continue;  // older than the first try (60 s for clock skew)
            if (normalised(journal->optValue<std::string>("notes", "")) == normalised(notes)) {
                host_.info("issue #" + std::to_string(issue_id) + ": the " + why +
                           " sent before (its answer was lost) is there; not sent again");
                store_.clear_note_intent(issue_id, digest);
                return;
            }
        }
    } else {
        store_.put_note_intent(issue_id, digest,
                               unix_seconds(std::chrono::time_point_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now())));
    }
    try {
        client_.put(issue_path(issue_id), wrap_issue(fields), why);
    } catch (const tg::Drop&) {
        store_.clear_note_intent(issue_id, digest);  // refused: nothing was written
        throw;
    }
    store_.clear_note_intent(issue_id, digest);
}

void Executor::note(int64_t issue_id, const std::string& notes, const std::string& why) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("notes", notes);
    put_with_notes(issue_id, fields, notes, why);
}

void Executor::change_status(int64_t issue_id, int64_t status_id, const std::string& notes,
                             const std::string& why) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("status_id", status_id);
    if (!notes.empty()) fields->set("notes", notes);
    put_with_notes(issue_id, fields, notes, why + ", status #" + std::to_string(status_id));
    if (client_.dry_run()) return;
    auto answer = client_.get(issue_path(issue_id));
    auto issue = answer->getObject("issue");
    const int64_t now_status = issue ? issue->getObject("status")->getValue<Poco::Int64>("id") : 0;
    if (now_status != status_id) {
        const std::string message =
            "Redmine kept issue #" + std::to_string(issue_id) + " in status '" +
            statuses_.name(now_status) + "' instead of '" + statuses_.name(status_id) + "' (" +
            why +
            "): its workflow forbids the change, or the issue has open subtasks or a closed parent";
        host_.error(message);
        throw tg::Drop(message);
    }
}

}  // namespace tg::redmine
