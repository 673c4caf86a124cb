// The `carry_over` hook: every open issue this sink created that is not done, closed or already
// carried over moves to the carry-over status with a 持ち越し note (read back). Idempotent. Each
// issue is changed under its group's lock, as deliveries are, so that on a shared store no
// replica decides on the group while its status changes.
#pragma once

#include "config.hpp"
#include "executor.hpp"
#include "rebuild.hpp"
#include "state_store.hpp"
#include "status_catalog.hpp"
#include "text.hpp"
#include "text_format.hpp"
#include "tracker.hpp"

#include <tickets_grouping/sink.hpp>

#include <optional>
#include <string>

namespace tg::redmine {

struct CarryOverResult {
    int changed = 0;
    int skipped = 0;
};

struct CarryOver {
    const Config& config;
    Tracker& tracker;
    StateStore& store;
    StatusCatalog& statuses;
    Executor& executor;
    const TextBuilder& text;
    TextFormatting& formats;
    const tg::HostServices& host;

    CarryOverResult run(bool dry_run, TimePoint now);

  private:
    // The group lock's name for a listed issue: from the state, else from its key.
    std::optional<std::string> lock_name(const ListedIssue& issue);
    void carry(const ListedIssue& issue, int64_t status, TimePoint now);
};

}  // namespace tg::redmine
