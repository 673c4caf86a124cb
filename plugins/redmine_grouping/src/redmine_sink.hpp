// The redmine_grouping sink: one Redmine issue per alert (alertname + instance), a Root issue per
// alertname once it fires on a second host, notes for recurrences and resolutions, and the
// carry_over hook. See planner.hpp for the rules and executor.hpp for how they reach Redmine.
// Its delivery groups (ABI 1.6) are its Roots: deliveries of different Root keys may run at
// once, each in a DeliveryLane of its own.
#pragma once

#include "alertmanager_client.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "delivery_lane.hpp"
#include "lane_pool.hpp"

#include <tickets_grouping/sink.hpp>

#include <memory>

namespace tg::redmine {

class RedmineSink : public tg::Sink {
  public:
    explicit RedmineSink(const tg::SinkContext& context);

    void deliver(const tg::Delivery& delivery) override;
    std::vector<tg::Hook> hooks() const override;
    void run_hook(const tg::HookRun& run) override;
    bool check() override;
    // Redmine answers its API for this key (GET /users/current.json): a head that keeps failing
    // meanwhile fails on its own content, and the host dead-letters it.
    void probe() override;
    // One group per Root key: its labels (root_key_labels, alertname by default). Different
    // groups share no ticket, Root or batch note, and what they share in the state (the
    // rebuild) is taken under the store's lock.
    std::vector<std::string> group_labels() const override { return config_.key_labels.root; }

    // For tests and diagnostics: every lane's requests; call it while no delivery runs.
    RequestCounts request_counts() const;
    size_t lane_count() const { return lanes_.size(); }
    const Config& config() const { return config_; }

  private:
    void ensure_state(DeliveryLane& lane);
    void deliver_in(DeliveryLane& lane, const tg::Delivery& delivery);
    void log_delivered(DeliveryLane& lane, const tg::Delivery& delivery, const Alert& alert);

    tg::HostServices host_;
    SystemClock clock_;
    Config config_;
    LanePool<DeliveryLane> lanes_;     // the first one: the hooks', check's and probe's
    AlertmanagerClient alertmanager_;  // reconcile's (with alertmanager_url)
};

}  // namespace tg::redmine
