#include "reconcile.hpp"

#include "alert_key.hpp"

#include <map>
#include <set>

namespace tg::redmine {

namespace {

std::string joined(const std::vector<std::string>& parts) {
    std::string all;
    for (const auto& p : parts) all += (all.empty() ? "" : " | ") + p;
    return all;
}

}  // namespace

ReconcileResult Reconcile::run(bool dry_run, TimePoint now) {
    const int64_t now_unix = unix_seconds(now);
    const AlertmanagerAnswer answer = source.list_alerts();
    for (const auto& failure : answer.failures) {
        host.warn("reconcile: Alertmanager did not answer: " + failure);
        if (!dry_run) host.count("reconcile_failures_total");
    }
    if (answer.answered == 0)
        throw tg::RetryLater("reconcile: no Alertmanager answered (" + joined(answer.failures) +
                             "); nothing was changed");

    // What Alertmanager lists, by ticket key: any alert of the key keeps its ticket firing, also
    // one the routing sends elsewhere now (a resolve is only taken from its absence). Only the
    // alerts the host's routing sends here may make tickets.
    std::set<std::string> listed;
    std::map<std::string, const Alert*> listed_labels;  // a key's alert, for labels kept before
    std::vector<const Alert*> firing_here;
    for (const auto& item : answer.alerts) {
        const std::string key = ticket_key(item.alert, config.key_labels);
        listed.insert(key);
        listed_labels.emplace(key, &item.alert);
        if (item.suppressed) continue;
        const auto routed = host.routes_here(item.alert.labels);
        if (!routed) {
            if (!dry_run) host.count("reconcile_failures_total");
            throw tg::Drop(
                "reconcile: the host cannot say which alerts its routing sends to this sink "
                "(it needs sink ABI 1.5); nothing was changed");
        }
        if (*routed) firing_here.push_back(&item.alert);
    }

    ReconcileResult result;
    std::vector<std::string> failures;
    bool retryable = false;
    const auto apply = [&](const Alert& alert, const std::string& key) {
        try {
            executor.apply_in_group(alert, config.alertmanager.urls.front(), now);
            return true;
        } catch (const tg::Drop& e) {
            failures.push_back("'" + key + "': " + e.what());
        } catch (const std::exception& e) {  // tg::RetryLater, the store: the next run tries
            retryable = true;
            failures.push_back("'" + key + "': " + e.what());
        }
        return false;
    };

    // Firing tickets Alertmanager no longer lists.
    auto missing = store.missing_since();
    for (const auto& [key, labels] : store.firing_alerts()) {
        const auto since = missing.find(key);
        if (listed.count(key)) {
            if (since != missing.end()) store.forget_missing(key);
            if (labels.empty())  // fired before the labels were kept: keep them now
                store.put_alert_labels(key, labels_json(listed_labels[key]->labels));
            continue;
        }
        if (labels.empty()) {  // warned once, when first missed
            if (since == missing.end()) {
                store.put_missing(key, now_unix);
                host.warn("reconcile: '" + key +
                          "' fires here and Alertmanager no longer lists it, but its labels are "
                          "not known here (it fired before this version, or the state was "
                          "rebuilt from Redmine): resolve its ticket by hand");
            }
            continue;
        }
        const int64_t first_missed = since == missing.end() ? now_unix : since->second;
        if (since == missing.end()) store.put_missing(key, now_unix);
        if (now_unix - first_missed < config.reconcile_grace.count()) {
            ++result.missing;
            host.debug("reconcile: '" + key + "' is not listed by Alertmanager since " +
                       std::to_string(first_missed) + "; resolved after reconcile_grace");
            continue;
        }
        Alert resolve;
        resolve.firing = false;
        resolve.reconciled = true;
        resolve.labels = labels_from_json(labels);
        resolve.ends_at = TimePoint(std::chrono::seconds(first_missed));
        host.info(std::string(dry_run ? "dry run: reconcile would resolve '" : "reconcile: '") +
                  key + (dry_run ? "'" : "' resolved") + ": Alertmanager has not listed it for " +
                  std::to_string(now_unix - first_missed) + " s (its resolve was lost)");
        if (apply(resolve, key)) {
            store.forget_missing(key);
            ++result.resolved;
            if (!dry_run) host.count("reconcile_actions_total", "action=resolved");
        }
    }
    for (const auto& [key, since] : missing)  // no longer firing here: nothing to hold
        if (const auto episode = store.episode(key); !episode || !episode->firing)
            store.forget_missing(key);

    // Firing alerts routed here that the sink does not know as firing in this episode.
    for (const Alert* alert : firing_here) {
        const std::string key = ticket_key(*alert, config.key_labels);
        const auto last = store.episode(key);
        const Episode incoming{alert->fingerprint, alert->episode_start(), true};
        if (last && last->firing && same_start(*last, incoming, config.episode_tolerance))
            continue;  // known: the webhook said so (to the millisecond the API gives)
        host.info(std::string(dry_run ? "dry run: reconcile would apply '" : "reconcile: '") + key +
                  (dry_run ? "'" : "' applied") +
                  ": Alertmanager lists it firing, and no webhook said so");
        if (apply(*alert, key)) {
            ++result.fired;
            if (!dry_run) host.count("reconcile_actions_total", "action=fired");
        }
    }

    if (result.resolved || result.fired || dry_run)
        host.info(
            std::string(dry_run ? "dry run: reconcile would resolve " : "reconcile: resolved ") +
            std::to_string(result.resolved) + " and apply " + std::to_string(result.fired) +
            " firing alert(s); " + std::to_string(result.missing) +
            " more not listed, within reconcile_grace");
    if (!failures.empty()) {
        const std::string message = "reconcile: " + std::to_string(failures.size()) +
                                    " alert(s) failed: " + joined(failures);
        if (retryable) throw tg::RetryLater(message);
        throw tg::Drop(message);
    }
    return result;
}

}  // namespace tg::redmine
