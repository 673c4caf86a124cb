// The redmine_grouping sink: one Redmine issue per alert (alertname + instance), a Root issue per
// alertname once it fires on a second host, notes for recurrences and resolutions, and the
// carry_over hook. See planner.hpp for the rules and executor.hpp for how they reach Redmine.
#pragma once

#include "alertmanager_client.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "executor.hpp"
#include "redmine_client.hpp"
#include "state_store.hpp"
#include "status_catalog.hpp"
#include "text.hpp"
#include "text_format.hpp"

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

    // For tests and diagnostics.
    const RequestCounts& request_counts() const { return client_.counts(); }
    const Config& config() const { return config_; }

  private:
    void ensure_state();
    void log_delivered(const tg::Delivery& delivery, const Alert& alert);

    tg::HostServices host_;
    SystemClock clock_;
    Config config_;
    TextBuilder text_;
    RedmineClient client_;
    TextFormatting formats_;
    StateStore store_;
    StatusCatalog statuses_;
    TicketFields fields_;
    Executor executor_;
    AlertmanagerClient alertmanager_;  // reconcile's (with alertmanager_url)
};

}  // namespace tg::redmine
