// Rebuilds an empty state (first start, or the file was lost) from Redmine: the open issues of
// the project that this sink wrote, known by their subjects or by the alert key custom field.
// Without it a lost state would mean duplicates.
#pragma once

#include "config.hpp"
#include "state_store.hpp"
#include "tracker.hpp"

#include <tickets_grouping/sink.hpp>

#include <functional>
#include <optional>
#include <string>

namespace tg::redmine {

struct ListedIssue {
    int64_t id = 0;
    std::string subject;
    std::string key;  // the alert key field's value, else the subject
    int64_t status_id = 0;
    std::optional<bool> closed;  // when Redmine says so with the status
    int64_t parent_id = 0;
    int64_t updated_at = 0;  // unix seconds
};

// Every open issue of the project (not its subprojects) whose subject this sink writes or whose
// alert key field (config.alert_key_field) is set, paged.
std::vector<ListedIssue> list_open_sink_issues(Tracker& tracker, const Config& config);

void rebuild_state(Tracker& tracker, StateStore& store, const Config& config,
                   const tg::HostServices& host, int64_t now_unix);

}  // namespace tg::redmine
