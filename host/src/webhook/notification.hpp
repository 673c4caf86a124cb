// Parses and normalises an Alertmanager webhook body (version 4), leniently where people type
// payloads by hand, strictly where a wrong type would mislead a sink. The result holds each
// alert's normalised JSON text and labels, compactly: a few times the body at most, whatever its
// shape, never a tree of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tg::host {

using Labels = std::map<std::string, std::string>;

// A body we refuse; `http_status` is what the client gets back (400, 413, 422, or 503 when the
// intake's memory budget is used up).
struct WebhookError : std::runtime_error {
    WebhookError(int status, const std::string& message)
        : std::runtime_error(message), http_status(status) {}
    int http_status;
};

struct ParseLimits {
    size_t max_alerts = 10000;  // more is refused (413)
    // Told the bytes the parsed form holds as it grows; false refuses the body (503).
    std::function<bool(size_t bytes)> reserve;
};

// Every alert's `status` is filled in (default: the top-level status, else "firing") and its
// `fingerprint` (computed as Alertmanager does) when it has none.
class Notification {
  public:
    size_t alert_count() const { return alerts_.size(); }
    Labels labels(size_t index) const;
    std::string_view alert_json(size_t index) const;  // normalised, keys sorted
    size_t bytes() const;                             // memory held

  private:
    friend class NotificationReader;
    friend std::string serialize_subset(const Notification&, const std::vector<size_t>&);
    struct Alert {
        uint32_t chunk, begin, json_size, labels_size;
    };
    void add_alert(std::string_view json, const Labels& labels);
    void clear_alerts();

    std::map<std::string, std::string> members_;  // the top level but alerts: key -> JSON text
    // Each alert's JSON text, then its labels as name \xFF value \xFF ... (no valid UTF-8 holds
    // \xFF), in chunks: growing never copies what is held, nor holds twice its size.
    std::vector<std::string> chunks_;
    std::deque<Alert> alerts_;
};

Notification parse_notification(const std::string& json_text, const ParseLimits& limits = {});

// The body restricted to the alerts at `indexes`, serialised deterministically (as Poco::JSON
// writes it): the same input gives the same bytes, which makes the idempotency key of a resend
// equal to the first one's.
std::string serialize_subset(const Notification& notification, const std::vector<size_t>& indexes);

}  // namespace tg::host
