// What the HTTP handlers need from the running host.
#pragma once

#include "config/routing_config.hpp"
#include "http/command_output.hpp"
#include "http/intake_budget.hpp"
#include "intake/route_notification.hpp"
#include "observability/delivery_record.hpp"
#include "observability/hook_status.hpp"
#include "observability/metrics.hpp"
#include "observability/sink_health.hpp"
#include "spool/dead_letter_store.hpp"
#include "spool/intake.hpp"
#include "spool/spool.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tg::host {

class Runtime {
  public:
    Runtime(Intake& intake, Metrics& metrics, std::shared_ptr<const RoutingConfig> config)
        : intake(intake), metrics(metrics), config_(std::move(config)) {}

    Intake& intake;  // the spool (bench/ceiling: nothing)
    Metrics& metrics;
    std::string listen;  // ADDR:PORT, for /readyz's warning about a listener open without auth
    IntakeBudget intake_budget;  // webhook bodies in flight

    std::shared_ptr<const RoutingConfig> config() const {
        std::lock_guard lock(mutex_);
        return config_;
    }
    // The running sinks' delivery groups (ABI 1.6), by which the intake splits notifications.
    std::shared_ptr<const SinkGroups> groups() const {
        std::lock_guard lock(mutex_);
        return groups_;
    }
    void set_config(std::shared_ptr<const RoutingConfig> config, SinkGroups groups = {}) {
        auto next_groups = std::make_shared<const SinkGroups>(std::move(groups));
        std::lock_guard lock(mutex_);
        config_ = std::move(config);
        groups_ = std::move(next_groups);
    }

    // Re-reads the configuration: "" or why the new one was refused, and what it did not change.
    struct ReloadResult {
        std::string error;
        std::vector<std::string> warnings;
    };
    std::function<ReloadResult()> reload;
    // --run-hook SINK:HOOK and --replay sent to this host by a one-shot command on its state
    // directory (unset: not available): run on the sinks' workers.
    std::function<CommandOutput(const std::string& sink_and_hook, bool dry_run)> run_hook;
    std::function<CommandOutput(const std::string& body, const std::string& source, bool dry_run)>
        replay;
    // `dead-letters retry --dry-run`: one spooled delivery given to its sink as a dry run.
    std::function<CommandOutput(const std::string& sink, const std::string& route,
                                const std::string& idempotency_key, const std::string& payload)>
        dry_deliver;
    // How many deliveries are in the dead letters, for /readyz (unset: not shown).
    std::function<int64_t()> dead_letters;
    // Each sink's last delivery result, for /readyz (unset: not checked).
    std::function<std::vector<SinkHealth>()> sink_health;

    // For the status page (GET /); each unset: that part is left empty.
    std::string version;  // the build
    // Per sink with rows in the store: its queue depth, oldest pending and dead-letter count.
    std::function<std::map<std::string, SpoolStats>()> sink_queues;
    // The newest dead letters, newest first, without their payloads.
    std::function<std::vector<DeadLetter>(size_t limit)> latest_dead_letters;
    std::function<std::vector<HookStatus>()> hooks;
    std::function<std::vector<DeliveryRecord>()> recent_deliveries;

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const RoutingConfig> config_;
    std::shared_ptr<const SinkGroups> groups_ = std::make_shared<const SinkGroups>();
};

}  // namespace tg::host
