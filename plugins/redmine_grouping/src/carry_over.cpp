#include "carry_over.hpp"

#include "alert_key.hpp"

namespace tg::redmine {

std::optional<std::string> CarryOver::lock_name(const ListedIssue& issue) {
    if (is_root_subject(issue.key))
        return group_lock_name(root_key_of_group(group_of_root_subject(issue.key)));
    auto group = store.group_of_issue(issue.key);
    if (!group) group = group_of_ticket_subject(issue.key, config.key_labels);
    if (!group) return std::nullopt;
    return group_lock_name(root_key_of_group(*group));
}

void CarryOver::carry(const ListedIssue& issue, int64_t status, TimePoint now) {
    const auto name = lock_name(issue);
    std::optional<StateLock> lock;
    if (name) lock.emplace(store.lock(*name));
    TextContext context;
    context.now = now;
    context.key = issue.key;
    context.issue_id = issue.id;
    context.issue_subject = issue.subject;
    executor.change_status(issue.id, status,
                           text.shape("carry_over_note", context, text.carry_over_note(now)),
                           "持ち越し");
}

CarryOverResult CarryOver::run(bool dry_run, TimePoint now) {
    const int64_t carry_to = statuses.resolve(config.status_carryover, "status_carryover");
    const int64_t done =
        config.status_done.empty() ? 0 : statuses.resolve(config.status_done, "status_done");
    // The whole list first: changing statuses while paging could shift the pages.
    const auto issues = list_open_sink_issues(tracker, config);
    if (!issues.empty() && !dry_run) formats.ensure(issues.front().id);
    CarryOverResult result;
    std::vector<std::string> failures;
    for (const auto& issue : issues) {
        const bool closed = issue.closed ? *issue.closed : statuses.is_closed(issue.status_id);
        if (issue.status_id == carry_to || issue.status_id == done || closed) {
            ++result.skipped;
            continue;
        }
        if (dry_run) {
            host.info("dry run: would move #" + std::to_string(issue.id) + " '" + issue.subject +
                      "' from '" + statuses.name(issue.status_id) + "' to '" +
                      statuses.name(carry_to) + "' with a 持ち越し note");
            ++result.changed;
            continue;
        }
        try {
            carry(issue, carry_to, now);
            ++result.changed;
            host.count("redmine_actions_total", "action=carried_over");
        } catch (const tg::Drop& e) {
            failures.push_back(e.what());  // the others still get carried over
        }
    }
    host.info(std::string(dry_run ? "dry run: carry_over would move " : "carry_over: moved ") +
              std::to_string(result.changed) + " issue(s) to the carry-over status, " +
              std::to_string(result.skipped) + " left as they were");
    if (!failures.empty()) {
        std::string all;
        for (const auto& f : failures) all += (all.empty() ? "" : " | ") + f;
        throw tg::Drop("carry_over: " + std::to_string(failures.size()) +
                       " issue(s) failed: " + all);
    }
    return result;
}

}  // namespace tg::redmine
