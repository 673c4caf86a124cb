#include "app/reloader.hpp"

#include "http/privileged_access.hpp"
#include "observability/log.hpp"

namespace tg::host {
namespace {

std::vector<std::pair<std::shared_ptr<SinkInstance>, RetryPolicy>> with_retry(
    const RoutingConfig& routing, const std::vector<std::shared_ptr<SinkInstance>>& sinks) {
    std::vector<std::pair<std::shared_ptr<SinkInstance>, RetryPolicy>> result;
    for (const auto& sink : sinks) {
        const SinkConfig* config = routing.find_sink(sink->name());
        result.emplace_back(sink, config ? config->retry : RetryPolicy{});
    }
    return result;
}

}  // namespace

void Reloader::dead_letter_removed_sinks(const RoutingConfig& routing) {
    std::set<std::string> configured;
    for (const auto& sink : routing.sinks) configured.insert(sink.name);
    try {
        for (const auto& [sink, count] :
             spool_.dead_letter_removed_sinks(configured, "sink removed")) {
            metrics_
                .counter("tickets_grouping_dead_letters_total",
                         "Deliveries moved to the dead letters.", {{"sink", sink}})
                .fetch_add(static_cast<uint64_t>(count));
            log::warn("deliveries of a sink no longer configured moved to the dead letters",
                      {{"sink", sink},
                       {"deliveries", std::to_string(count)},
                       {"reason", "sink removed"}});
        }
    } catch (const std::exception& e) {  // they stay spooled; the next start or reload tries again
        log::error("cannot dead-letter the deliveries of removed sinks", {{"error", e.what()}});
    }
}

void warn_if_exposed(const std::string& listen, const WebhookAuth& auth) {
    const std::string warning = unauthenticated_exposure(listen, auth);
    if (!warning.empty()) log::warn(warning);
}

Reloader::Reloader(const Options& options, const Configuration& initial, Spool& spool,
                   Dispatcher& dispatcher, Metrics& metrics, Runtime& runtime)
    : options_(options),
      initial_(initial),
      spool_(spool),
      dispatcher_(dispatcher),
      metrics_(metrics),
      runtime_(runtime) {}

void Reloader::start() {
    std::lock_guard lock(mutex_);
    auto sinks = create_sinks(initial_, "", &metrics_);
    auto scheduler =
        std::make_unique<Scheduler>(spool_, dispatcher_, scheduled_hooks(initial_, sinks));
    for (const auto& [sink, retry] : with_retry(*initial_.routing, sinks))
        dispatcher_.add_sink(sink, retry);
    scheduler_ = std::move(scheduler);
    scheduler_->start();
    dead_letter_removed_sinks(*initial_.routing);
}

void Reloader::stop() {
    std::lock_guard lock(mutex_);
    if (scheduler_) scheduler_->stop();
}

Runtime::ReloadResult Reloader::refuse(const std::string& why) {
    metrics_
        .counter("tickets_grouping_reloads_total", "Configuration reloads by result.",
                 {{"result", "failed"}})
        .fetch_add(1);
    log::error("reload refused, the running configuration stays", {{"error", why}});
    return {"reload refused: " + why, {}};
}

Runtime::ReloadResult Reloader::reload() {
    std::lock_guard lock(mutex_);
    // Build: nothing that runs is touched until every part of the new configuration exists.
    Configuration next;
    std::vector<std::shared_ptr<SinkInstance>> next_sinks;
    std::unique_ptr<Scheduler> next_scheduler;
    HttpServer::Change server_change;
    try {
        next = load_configuration(options_);
        if (next.state_dir != initial_.state_dir)
            return {"state_dir cannot change on reload (restart to move the state)", {}};
        if (next.store.description != initial_.store.description)
            return {"store cannot change on reload (restart to move the spool)", {}};
        next_sinks = create_sinks(next, "", &metrics_);
        // Not started yet: it only reads (and records) the hooks' last runs in the store.
        next_scheduler =
            std::make_unique<Scheduler>(spool_, dispatcher_, scheduled_hooks(next, next_sinks));
        if (http_) server_change = http_->prepare(next.listen, next.routing->server);
        // Started beside the old one, which still runs: if this fails, the old one goes on. The
        // store lets one of them claim a due slot, so no run is doubled meanwhile.
        next_scheduler->start();
    } catch (const std::exception& e) {
        return refuse(e.what());
    }
    // Swap: none of this throws.
    scheduler_->stop();
    dispatcher_.reconfigure(with_retry(*next.routing, next_sinks));
    runtime_.set_config(next.routing);
    scheduler_ = std::move(next_scheduler);
    if (http_) http_->apply(server_change);
    dead_letter_removed_sinks(*next.routing);
    metrics_
        .counter("tickets_grouping_reloads_total", "Configuration reloads by result.",
                 {{"result", "ok"}})
        .fetch_add(1);
    log::info("configuration reloaded", {{"sinks", std::to_string(next_sinks.size())}});
    for (const auto& warning : server_change.warnings) log::warn(warning);
    warn_if_exposed(initial_.listen, next.routing->server.auth);
    return {"", server_change.warnings};
}

}  // namespace tg::host
