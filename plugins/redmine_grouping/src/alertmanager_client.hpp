// What reconcile asks Alertmanager: the alerts it holds now (GET /api/v2/alerts), from every
// peer of an HA cluster, merged. The peers gossip silences but not alerts, and a restarted one
// holds nothing until Prometheus resends: an alert counts as listed when any peer lists it.
#pragma once

#include "alert.hpp"
#include "config.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace tg::redmine {

// One alert as Alertmanager lists it: firing, with its labels, annotations and startsAt.
struct ListedAlert {
    Alert alert;
    bool suppressed = false;  // silenced or inhibited (by any peer): its ticket is left alone
};

struct AlertmanagerAnswer {
    std::vector<ListedAlert> alerts;    // merged over the peers that answered
    std::vector<std::string> failures;  // one per peer that did not: "URL: why" (no secret)
    size_t answered = 0;                // peers that answered
};

// Where reconcile reads the active alerts from: Alertmanager, or a test's own list.
class AlertSource {
  public:
    virtual ~AlertSource() = default;
    virtual AlertmanagerAnswer list_alerts() = 0;
};

class AlertmanagerClient final : public AlertSource {
  public:
    // Alertmanager answers every alert it holds: a large cluster's list is a few MB.
    static constexpr size_t kMaxAnswerBytes = 64u << 20;

    AlertmanagerClient(AlertmanagerAccess access, std::chrono::milliseconds timeout)
        : access_(std::move(access)), timeout_(timeout) {}

    AlertmanagerAnswer list_alerts() override;

    // The body of GET /api/v2/alerts; throws std::invalid_argument when it is not a list of
    // alerts. An alert without an alertname is skipped, as the webhook's is.
    static std::vector<ListedAlert> parse_alerts(std::string_view json);

  private:
    std::string fetch(const std::string& url) const;  // throws std::runtime_error

    AlertmanagerAccess access_;
    std::chrono::milliseconds timeout_;
};

}  // namespace tg::redmine
