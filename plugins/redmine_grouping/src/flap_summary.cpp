#include "flap_summary.hpp"

#include "alert_key.hpp"

#include <optional>

namespace tg::redmine {

FlapSummaryResult FlapSummary::run(bool dry_run, TimePoint now) {
    const int64_t now_unix = unix_seconds(now);
    FlapSummaryResult result;
    std::vector<std::string> failures;
    for (const auto& key : store.settled_flaps(now_unix - config.flap_window.count())) {
        std::optional<StateLock> lock;
        if (auto group = store.group_of_issue(key))
            lock.emplace(store.lock(group_lock_name(root_key_of_group(*group))));
        // Read again under the lock: a replica or a delivery may have written it meanwhile.
        const auto flap = store.flap(key);
        if (!flap || !flap_settled(*flap, config.flap_window, now_unix)) continue;
        if (dry_run) {
            host.info("dry run: would write the flap summary of '" + key + "' on #" +
                      std::to_string(flap->issue_id) + " (" + std::to_string(flap->recurrences) +
                      " re-fire(s), " + std::to_string(flap->resolutions) + " resolve(s))");
            ++result.written;
            continue;
        }
        try {
            ++(executor.summarise_flap(key, *flap, now) ? result.written : result.dropped);
        } catch (const tg::Drop& e) {
            failures.push_back(e.what());  // the others are still written
        }
    }
    if (result.written || !failures.empty() || dry_run)
        host.info(
            std::string(dry_run ? "dry run: flap_summary would write " : "flap_summary: wrote ") +
            std::to_string(result.written) + " summary note(s)");
    if (!failures.empty()) {
        std::string all;
        for (const auto& f : failures) all += (all.empty() ? "" : " | ") + f;
        throw tg::Drop("flap_summary: " + std::to_string(failures.size()) +
                       " ticket(s) failed: " + all);
    }
    return result;
}

}  // namespace tg::redmine
