// Finds the issue an interrupted create made (the sink crashed, or the answer was lost, between
// the POST and its record in the state), by its exact subject or alert key. Redmine reads the
// value of `subject=` and `cf_N=` as a filter expression even when URL-encoded: a leading
// ~ ! ^ $ * (or =) is an operator and | separates values. So the value is sent only in a form
// Redmine takes literally (with an explicit = for a key field), or else the issues created
// since the attempt are listed; either way every page is matched here on the exact value.
#pragma once

#include "config.hpp"
#include "tracker.hpp"

#include <optional>
#include <string>

namespace tg::redmine {

struct FoundIssue {
    int64_t id = 0;
    int64_t parent = 0;
};

// The filter for exactly `value` in a field of Redmine's `string` filter type (custom fields,
// `text` = false) or `text` type (subject); nullopt when Redmine cannot be told that.
std::optional<std::string> literal_filter(const std::string& value, bool text_type);

// The newest issue of the project whose key (alert_key_field) or subject is exactly the one
// given, created at most 5 minutes before `since_unix` (clock skew); nullopt when none.
std::optional<FoundIssue> find_created_issue(Tracker& tracker, const Config& config,
                                             const std::string& key, const std::string& subject,
                                             int64_t since_unix);

}  // namespace tg::redmine
