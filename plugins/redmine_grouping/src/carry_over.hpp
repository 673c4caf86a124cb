// The `carry_over` hook: every open issue this sink created that is not done, closed or already
// carried over moves to the carry-over status with a 持ち越し note (read back). Idempotent.
#pragma once

#include "config.hpp"
#include "executor.hpp"
#include "redmine_client.hpp"
#include "status_catalog.hpp"
#include "text.hpp"
#include "text_format.hpp"

#include <tickets_grouping/sink.hpp>

namespace tg::redmine {

struct CarryOverResult {
    int changed = 0;
    int skipped = 0;
};

CarryOverResult run_carry_over(const Config& config, RedmineClient& client, StatusCatalog& statuses,
                               Executor& executor, const TextBuilder& text, TextFormatting& formats,
                               const tg::HostServices& host, bool dry_run, TimePoint now);

}  // namespace tg::redmine
