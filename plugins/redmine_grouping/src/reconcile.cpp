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

// What Alertmanager lists, by ticket key: any alert of the key keeps its ticket firing, also one
// the routing sends elsewhere now (a resolve is only taken from its absence). Only the alerts the
// host's routing sends here may make tickets.
struct Listing {
    std::set<std::string> keys;
    std::map<std::string, const Alert*> alert_of;  // a key's alert, for labels kept before
    std::vector<const Alert*> firing_here;
};

// One run's tally: what was done, and what failed (the run fails with all of it at its end).
struct Tally {
    ReconcileResult result;
    std::vector<std::string> failures;
    bool retryable = false;
};

Listing listing_of(const Reconcile& r, const AlertmanagerAnswer& answer, bool dry_run) {
    Listing listing;
    for (const auto& item : answer.alerts) {
        const std::string key = ticket_key(item.alert, r.config.key_labels);
        listing.keys.insert(key);
        listing.alert_of.emplace(key, &item.alert);
        if (item.suppressed) continue;
        const auto routed = r.host.routes_here(item.alert.labels);
        if (!routed) {
            if (!dry_run) r.host.count("reconcile_failures_total");
            throw tg::Drop(
                "reconcile: the host cannot say which alerts its routing sends to this sink "
                "(it needs sink ABI 1.5); nothing was changed");
        }
        if (*routed) listing.firing_here.push_back(&item.alert);
    }
    return listing;
}

bool apply(const Reconcile& r, const Alert& alert, const std::string& key, Tally& tally,
           TimePoint now) {
    try {
        r.executor.apply_in_group(alert, r.config.alertmanager.urls.front(), now);
        return true;
    } catch (const tg::Drop& e) {
        tally.failures.push_back("'" + key + "': " + e.what());
    } catch (const std::exception& e) {  // tg::RetryLater, the store: the next run tries
        tally.retryable = true;
        tally.failures.push_back("'" + key + "': " + e.what());
    }
    return false;
}

// Firing tickets Alertmanager no longer lists: resolved once missed for reconcile_grace.
void resolve_missing(const Reconcile& r, const Listing& listing, Tally& tally, bool dry_run,
                     TimePoint now) {
    const int64_t now_unix = unix_seconds(now);
    auto missing = r.store.missing_since();
    for (const auto& [key, labels] : r.store.firing_alerts()) {
        const auto since = missing.find(key);
        if (listing.keys.count(key)) {
            if (since != missing.end()) r.store.forget_missing(key);
            if (labels.empty())  // fired before the labels were kept: keep them now
                r.store.put_alert_labels(key, labels_json(listing.alert_of.at(key)->labels));
            continue;
        }
        if (labels.empty()) {  // warned once, when first missed
            if (since == missing.end()) {
                r.store.put_missing(key, now_unix);
                r.host.warn("reconcile: '" + key +
                            "' fires here and Alertmanager no longer lists it, but its labels "
                            "are not known here (it fired before this version, or the state was "
                            "rebuilt from Redmine): resolve its ticket by hand");
            }
            continue;
        }
        const int64_t first_missed = since == missing.end() ? now_unix : since->second;
        if (since == missing.end()) r.store.put_missing(key, now_unix);
        if (now_unix - first_missed < r.config.reconcile_grace.count()) {
            ++tally.result.missing;
            r.host.debug("reconcile: '" + key + "' is not listed by Alertmanager since " +
                         std::to_string(first_missed) + "; resolved after reconcile_grace");
            continue;
        }
        Alert resolve;
        resolve.firing = false;
        resolve.reconciled = true;
        resolve.labels = labels_from_json(labels);
        resolve.ends_at = TimePoint(std::chrono::seconds(first_missed));
        r.host.info(std::string(dry_run ? "dry run: reconcile would resolve '" : "reconcile: '") +
                    key + (dry_run ? "'" : "' resolved") + ": Alertmanager has not listed it for " +
                    std::to_string(now_unix - first_missed) + " s (its resolve was lost)");
        if (apply(r, resolve, key, tally, now)) {
            r.store.forget_missing(key);
            ++tally.result.resolved;
            if (!dry_run) r.host.count("reconcile_actions_total", "action=resolved");
        }
    }
    for (const auto& [key, since] : missing)  // no longer firing here: nothing to hold
        if (const auto episode = r.store.episode(key); !episode || !episode->firing)
            r.store.forget_missing(key);
}

// Firing alerts routed here that the sink does not know as firing in this episode.
void apply_unknown_firing(const Reconcile& r, const Listing& listing, Tally& tally, bool dry_run,
                          TimePoint now) {
    for (const Alert* alert : listing.firing_here) {
        const std::string key = ticket_key(*alert, r.config.key_labels);
        const auto last = r.store.episode(key);
        const Episode incoming{alert->fingerprint, alert->episode_start(), true};
        if (last && last->firing && same_start(*last, incoming, r.config.episode_tolerance))
            continue;  // known: the webhook said so (to the millisecond the API gives)
        r.host.info(std::string(dry_run ? "dry run: reconcile would apply '" : "reconcile: '") +
                    key + (dry_run ? "'" : "' applied") +
                    ": Alertmanager lists it firing, and no webhook said so");
        if (apply(r, *alert, key, tally, now)) {
            ++tally.result.fired;
            if (!dry_run) r.host.count("reconcile_actions_total", "action=fired");
        }
    }
}

}  // namespace

ReconcileResult Reconcile::run(bool dry_run, TimePoint now) {
    const AlertmanagerAnswer answer = source.list_alerts();
    for (const auto& failure : answer.failures) {
        host.warn("reconcile: Alertmanager did not answer: " + failure);
        if (!dry_run) host.count("reconcile_failures_total");
    }
    if (answer.answered == 0)
        throw tg::RetryLater("reconcile: no Alertmanager answered (" + joined(answer.failures) +
                             "); nothing was changed");
    const Listing listing = listing_of(*this, answer, dry_run);
    Tally tally;
    resolve_missing(*this, listing, tally, dry_run, now);
    apply_unknown_firing(*this, listing, tally, dry_run, now);

    const ReconcileResult& result = tally.result;
    if (result.resolved || result.fired || dry_run)
        host.info(
            std::string(dry_run ? "dry run: reconcile would resolve " : "reconcile: resolved ") +
            std::to_string(result.resolved) + " and apply " + std::to_string(result.fired) +
            " firing alert(s); " + std::to_string(result.missing) +
            " more not listed, within reconcile_grace");
    if (!tally.failures.empty()) {
        const std::string message = "reconcile: " + std::to_string(tally.failures.size()) +
                                    " alert(s) failed: " + joined(tally.failures);
        if (tally.retryable) throw tg::RetryLater(message);
        throw tg::Drop(message);
    }
    return result;
}

}  // namespace tg::redmine
