// The `flap_summary` hook (declared when flap_window is set; every minute): each ticket whose
// folded changes have been stable for flap_window gets its one summary note (Executor::
// summarise_flap). The window lives in the state store, so it survives a restart; the host runs
// each slot of a hook on one replica, and each ticket is summarised under its group's lock, as
// deliveries and carry_over change it, after reading its window again: one note, whoever runs.
#pragma once

#include "config.hpp"
#include "executor.hpp"
#include "state_store.hpp"

#include <tickets_grouping/sink.hpp>

namespace tg::redmine {

struct FlapSummaryResult {
    int written = 0;
    int dropped = 0;  // windows with nothing folded, or whose issue is gone
};

struct FlapSummary {
    const Config& config;
    StateStore& store;
    Executor& executor;
    const tg::HostServices& host;

    FlapSummaryResult run(bool dry_run, TimePoint now);
};

}  // namespace tg::redmine
