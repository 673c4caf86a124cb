// flap_window: the ticket's window opened or counted (record_flap), its summary note written
// once it settled (summarise_flap, from apply() or the flap_summary hook).
#include "executor.hpp"

namespace tg::redmine {

bool Executor::summarise_flap(const std::string& key, const FlapState& flap, TimePoint now) {
    const int64_t id = flap.issue_id;
    if (flap.recurrences + flap.resolutions == 0) {
        store_.forget_flap(key);
        return false;
    }
    auto issue = tracker_.find_issue(id, IssueDetail::plain);
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
    if (!tracker_.dry_run()) host_.count("redmine_actions_total", "action=flap_summary");
    host_.info("'" + key + "': flap summary written on #" + std::to_string(id) + " (" +
               std::to_string(flap.recurrences) + " re-fire(s), " +
               std::to_string(flap.resolutions) + " resolve(s), now " +
               (flap.firing ? "firing" : "resolved") + ")");
    return true;
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
        if (!tracker_.dry_run())
            host_.count("redmine_folded_changes_total",
                        firing ? "change=refire" : "change=resolve");
    }
}

}  // namespace tg::redmine
