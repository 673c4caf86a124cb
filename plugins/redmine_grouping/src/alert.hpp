// Decodes the host's Alertmanager webhook (v4) JSON into alerts. Hand-written payloads are
// normal: only `labels` is required; everything else may be missing.
#pragma once

#include "time/rfc3339.hpp"

#include <Poco/JSON/Object.h>

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
    // Resolved by the reconcile hook: Alertmanager no longer lists it (its resolve was lost).
    bool reconciled = false;

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

// One alert of the webhook (or of Alertmanager's API, whose alerts have the same fields but
// `status`); throws std::invalid_argument when it has no alertname.
Alert decode_alert(const Poco::JSON::Object::Ptr& object);

// Labels as a JSON object, and back (the state keeps a firing alert's labels so).
std::string labels_json(const std::map<std::string, std::string>& labels);
std::map<std::string, std::string> labels_from_json(std::string_view json);  // {} on bad JSON

// Throws std::invalid_argument when the JSON is not a notification; a single unreadable alert
// goes to `rejected`.
Notification decode_notification(std::string_view json);

// RFC 3339 times, read exactly as the host checked them at intake (common/time/rfc3339.hpp).
using common::parse_rfc3339;

}  // namespace tg::redmine
