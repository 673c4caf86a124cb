// The `reconcile` hook (declared when alertmanager_url is set; every 10 minutes by default):
// holds the tickets against the alerts Alertmanager lists now, for what its webhook never said.
// - A firing ticket whose alert Alertmanager has not listed for reconcile_grace gets its resolve,
//   applied as the webhook's would be (its 解消 note marked as found so; close_on_resolve holds):
//   Alertmanager drops a resolve it could not deliver, and sends none for a deleted rule.
// - A firing alert the host's routing sends to this sink, with no firing ticket, is applied as
//   its webhook would be (a ticket, or a 再発 note): one posted while the host was down.
// - A silenced or inhibited alert counts as listed, and makes nothing.
// - When no Alertmanager answers (or answers garbage), nothing changes: a warning, the metric
//   reconcile_failures_total, and the run is tried again after the host's pause.
// Each alert is applied under its group's lock, like a delivery; the host runs each slot of a
// hook on one replica.
#pragma once

#include "alertmanager_client.hpp"
#include "config.hpp"
#include "executor.hpp"
#include "state_store.hpp"

#include <tickets_grouping/sink.hpp>

namespace tg::redmine {

struct ReconcileResult {
    int resolved = 0;  // tickets resolved (or, in a dry run, that would be)
    int fired = 0;     // firing alerts applied that the sink did not know as firing
    int missing = 0;   // firing tickets Alertmanager no longer lists, still within the grace
};

struct Reconcile {
    const Config& config;
    StateStore& store;
    Executor& executor;
    AlertSource& source;
    const tg::HostServices& host;

    ReconcileResult run(bool dry_run, TimePoint now);
};

}  // namespace tg::redmine
