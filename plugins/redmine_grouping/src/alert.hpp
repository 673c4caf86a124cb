// Decodes the host's Alertmanager webhook (v4) JSON into alerts. Hand-written payloads are
// normal: only `labels` is required; everything else may be missing.
#pragma once

#include "time/rfc3339.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tg::redmine {

using TimePoint = common::NanoTime;

struct Alert {
    bool firing = true;
    std::map<std::string, std::string> labels;
    // description first, then summary, then the others by name.
    std::vector<std::pair<std::string, std::string>> annotations;
    std::optional<TimePoint> starts_at;
    std::optional<TimePoint> ends_at;
    std::string generator_url;
    std::string fingerprint;

    std::string label(const std::string& name) const;
    std::string alertname() const { return label("alertname"); }
    std::string instance() const { return label("instance"); }
    std::string annotation(const std::string& name) const;
    // The episode: equal for every resend of the same firing (or resolved) state.
    std::string episode_start() const;
};

struct Notification {
    std::vector<Alert> alerts;
    std::vector<std::string> rejected;  // why an alert could not be read (the others still count)
    std::string external_url;
    size_t size() const { return alerts.size() + rejected.size(); }
};

// Throws std::invalid_argument when the JSON is not a notification; a single unreadable alert
// goes to `rejected`.
Notification decode_notification(std::string_view json);

// RFC 3339 times, read exactly as the host checked them at intake (common/time/rfc3339.hpp).
using common::parse_rfc3339;

}  // namespace tg::redmine
