// Parses and normalises an Alertmanager webhook body (version 4), leniently where people type
// payloads by hand, strictly where a wrong type would mislead a sink.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tg::host {

using Labels = std::map<std::string, std::string>;

// A body we refuse; `http_status` is what the client gets back (400 or 422).
struct WebhookError : std::runtime_error {
    WebhookError(int status, const std::string& message)
        : std::runtime_error(message), http_status(status) {}
    int http_status;
};

struct Notification {
    // The body with every alert's `status` (default: the top-level status, else "firing") and
    // `fingerprint` (computed as Alertmanager does) filled in.
    Poco::JSON::Object::Ptr body;
    std::vector<Labels> alert_labels;  // same order as body["alerts"]
};

Notification parse_notification(std::string_view json_text);

// The body restricted to the alerts at `indexes`, serialised deterministically: the same input
// gives the same bytes, which makes the idempotency key of a resend equal to the first one's.
std::string serialize_subset(const Notification& notification, const std::vector<size_t>& indexes);

}  // namespace tg::host
