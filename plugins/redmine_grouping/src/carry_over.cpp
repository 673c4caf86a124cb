#include "carry_over.hpp"

#include "rebuild.hpp"

namespace tg::redmine {

CarryOverResult run_carry_over(const Config& config, RedmineClient& client, StatusCatalog& statuses,
                               Executor& executor, const TextBuilder& text, TextFormatting& formats,
                               const tg::HostServices& host, bool dry_run, TimePoint now) {
    const int64_t carry = statuses.resolve(config.status_carryover, "status_carryover");
    const int64_t done =
        config.status_done.empty() ? 0 : statuses.resolve(config.status_done, "status_done");
    // The whole list first: changing statuses while paging could shift the pages.
    const auto issues = list_open_sink_issues(client, config);
    if (!issues.empty() && !dry_run) formats.ensure(issues.front().id);
    CarryOverResult result;
    std::vector<std::string> failures;
    for (const auto& issue : issues) {
        const bool closed = issue.closed ? *issue.closed : statuses.is_closed(issue.status_id);
        if (issue.status_id == carry || issue.status_id == done || closed) {
            ++result.skipped;
            continue;
        }
        if (dry_run) {
            host.info("dry run: would move #" + std::to_string(issue.id) + " '" + issue.subject +
                      "' from '" + statuses.name(issue.status_id) + "' to '" +
                      statuses.name(carry) + "' with a 持ち越し note");
            ++result.changed;
            continue;
        }
        try {
            TextContext context;
            context.now = now;
            context.key = issue.key;
            context.issue_id = issue.id;
            context.issue_subject = issue.subject;
            executor.change_status(
                issue.id, carry, text.shape("carry_over_note", context, text.carry_over_note(now)),
                "持ち越し");
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
