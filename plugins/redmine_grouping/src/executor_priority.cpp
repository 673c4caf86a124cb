// update_priority: the ticket's priority follows the most urgent of its firing alerts.
#include "executor.hpp"

#include "priority_rules.hpp"

#include <algorithm>

namespace tg::redmine {

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

    auto json = tracker_.issue(issue->id, IssueDetail::journals);
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
    Poco::JSON::Object fields;
    fields.set("priority_id", *wanted);
    const std::string notes =
        text_.priority_note(fields_.priority_name(current), fields_.priority_name(*wanted));
    fields.set("notes", notes);
    put_with_notes(issue->id, fields, notes, "priority #" + std::to_string(*wanted));
    store_.put_ticket_priority(key, {issue->id, *wanted, false});
    if (!tracker_.dry_run()) host_.count("redmine_actions_total", "action=priority");
}

}  // namespace tg::redmine
