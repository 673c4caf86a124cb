#include "app/reloader.hpp"

#include "app/sink_handover.hpp"
#include "app/temporary_state_dir.hpp"
#include "http/privileged_access.hpp"
#include "observability/log.hpp"

namespace tg::host {
namespace {

std::vector<DispatchedSink> as_dispatched(const RoutingConfig& routing,
                                          const std::vector<std::shared_ptr<SinkInstance>>& sinks) {
    std::vector<DispatchedSink> result;
    for (const auto& sink : sinks) {
        const SinkConfig* config = routing.find_sink(sink->name());
        result.push_back({sink, config ? config->retry : RetryPolicy{},
                          dispatched_concurrency(*sink, config ? config->concurrency : 1)});
    }
    return result;
}

// The intake splits a sink's notifications by group where the dispatcher runs groups at once.
SinkGroups sink_groups(const std::vector<DispatchedSink>& sinks) {
    SinkGroups groups;
    for (const auto& sink : sinks)
        if (sink.concurrency > 1) groups[sink.sink->name()] = sink.sink->group_labels();
    return groups;
}

// How long a reload waits for a changed sink's worker to finish its call in progress.
constexpr auto handover_wait = std::chrono::seconds(30);

}  // namespace

void Reloader::dead_letter_removed_sinks(const RoutingConfig& routing) {
    std::set<std::string> configured;
    for (const auto& sink : routing.sinks) configured.insert(sink.name);
    try {
        for (const auto& [sink, count] :
             spool_.dead_letter_removed_sinks(configured, "sink removed")) {
            metrics_.counter(metric::dead_letters_total, {{"sink", sink}})
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
    const auto dispatched = as_dispatched(*initial_.routing, sinks);
    runtime_.set_config(initial_.routing, sink_groups(dispatched));
    for (const auto& sink : dispatched)
        dispatcher_.add_sink(sink.sink, sink.retry, sink.concurrency);
    current_ = initial_;
    for (const auto& sink : sinks) {
        const SinkConfig* config = initial_.routing->find_sink(sink->name());
        live_[sink->name()] = {sink->plugin_path(), config->config_json, sink};
    }
    {
        std::lock_guard swap(scheduler_mutex_);
        scheduler_ = std::move(scheduler);
    }
    scheduler_->start();
    dead_letter_removed_sinks(*initial_.routing);
}

std::vector<HookStatus> Reloader::hook_status() {
    std::lock_guard lock(scheduler_mutex_);
    return scheduler_ ? scheduler_->status() : std::vector<HookStatus>{};
}

void Reloader::stop() {
    std::lock_guard lock(mutex_);
    if (scheduler_) scheduler_->stop();
}

Runtime::ReloadResult Reloader::refuse(const std::string& why) {
    metrics_.counter(metric::reloads_total, {{"result", "failed"}}).fetch_add(1);
    log::error("reload refused, the running configuration stays", {{"error", why}});
    return {"reload refused: " + why, {}};
}

std::string Reloader::hand_over_changed(
    const Configuration& next, const std::vector<std::string>& names,
    std::map<std::string, std::shared_ptr<SinkInstance>>& created) {
    const auto next_config = std::make_shared<const Configuration>(next);
    const auto old_config = std::make_shared<const Configuration>(current_);
    Metrics* metrics = &metrics_;
    auto make = [metrics](std::shared_ptr<const Configuration> configuration,
                          const std::string& name) -> MakeSink {
        return [configuration, name, metrics] {
            return create_sink(*configuration, *configuration->routing->find_sink(name), metrics);
        };
    };
    auto swap = [&](const std::string& name, MakeSink make_new, MakeSink make_old,
                    std::shared_ptr<SinkInstance>& slot) {
        // Only the worker holds the old instance now: the handover destroys it before it creates
        // the new one. Back from the worker when nothing was changed (busy).
        std::weak_ptr<SinkInstance> old = slot;
        slot.reset();
        Handover handover =
            hand_over(dispatcher_, name, std::move(make_new), std::move(make_old), handover_wait);
        slot = handover.instance ? handover.instance : old.lock();
        return handover.error;
    };
    std::string error;
    std::vector<std::string> done;
    for (const auto& name : names) {
        std::shared_ptr<SinkInstance> slot = std::move(live_[name].instance);
        error = swap(name, make(next_config, name), make(old_config, name), slot);
        if (!error.empty()) {
            live_[name].instance = slot;  // the old configuration again
            error = "sink '" + name + "': " + error;
            break;
        }
        created[name] = slot;
        done.push_back(name);
    }
    if (error.empty()) return "";
    for (const auto& name : done) {  // back to what runs
        std::shared_ptr<SinkInstance> slot = std::move(created[name]);
        created.erase(name);
        if (const auto again = swap(name, make(old_config, name), make(old_config, name), slot);
            !again.empty())
            log::error("cannot hand a sink back to its running configuration",
                       {{"sink", name}, {"error", again}});
        live_[name].instance = slot;
    }
    return error;
}

size_t Reloader::swap_in(const Configuration& next,
                         std::map<std::string, std::shared_ptr<SinkInstance>>& instances,
                         std::map<std::string, std::string>& plugin_paths,
                         std::map<std::string, SinkInstance::RoutesHere>& kept_routes,
                         std::unique_ptr<Scheduler> next_scheduler) {
    std::vector<std::shared_ptr<SinkInstance>> next_sinks;
    std::map<std::string, LiveSink> next_live;
    for (const auto& sink : next.routing->sinks) {
        next_sinks.push_back(instances[sink.name]);
        next_live[sink.name] = {plugin_paths[sink.name], sink.config_json, instances[sink.name]};
    }
    scheduler_->stop();
    const auto dispatched = as_dispatched(*next.routing, next_sinks);
    dispatcher_.reconfigure(dispatched);
    runtime_.set_config(next.routing, sink_groups(dispatched));
    // With the webhook's routes: an instance kept answers routes_here as its alerts now go.
    for (auto& [name, routes_here] : kept_routes)
        instances[name]->set_routes_here(std::move(routes_here));
    {
        std::lock_guard swap(scheduler_mutex_);
        scheduler_ = std::move(next_scheduler);
    }
    live_ = std::move(next_live);
    current_ = next;
    return next_sinks.size();
}

Runtime::ReloadResult Reloader::reload() {
    std::lock_guard lock(mutex_);
    // Build: nothing that runs is touched until every part of the new configuration exists. An
    // unchanged sink keeps its instance; a new one is created on its own state directory; a
    // changed one cannot be created beside the instance that owns its state directory, so it is
    // tried on a temporary one here and handed over below.
    Configuration next;
    std::map<std::string, std::shared_ptr<SinkInstance>> instances;  // of the new configuration
    std::vector<std::string> changed;
    std::map<std::string, std::string> plugin_paths;
    // The new routes of each instance kept: given to it at the swap, so that a refused reload
    // leaves it answering routes_here by the running routes.
    std::map<std::string, SinkInstance::RoutesHere> kept_routes;
    std::unique_ptr<Scheduler> next_scheduler;
    HttpServer::Change server_change;
    try {
        next = load_configuration(options_);
        if (next.state_dir != initial_.state_dir)
            return {"state_dir cannot change on reload (restart to move the state)", {}};
        if (next.store.description != initial_.store.description)
            return {"store cannot change on reload (restart to move the spool)", {}};
        TemporaryStateDir trial;
        Configuration trial_config = next;
        trial_config.state_dir = trial.path();
        std::vector<std::shared_ptr<SinkInstance>> for_hooks;
        for (const auto& sink : next.routing->sinks) {
            const std::string path = sink_plugin_path(next, sink);
            plugin_paths[sink.name] = path;
            const auto it = live_.find(sink.name);
            if (it != live_.end() && it->second.instance && it->second.plugin_path == path &&
                it->second.config_json == sink.config_json && *current_.env == *next.env) {
                instances[sink.name] = it->second.instance;
                kept_routes[sink.name] = routes_here_for(next.routing, sink.name);
            } else if (it != live_.end() || dispatcher_.has_worker(sink.name)) {
                changed.push_back(sink.name);
                for_hooks.push_back(create_sink(trial_config, sink, nullptr));
                continue;
            } else {
                instances[sink.name] = create_sink(next, sink, &metrics_);
            }
            for_hooks.push_back(instances[sink.name]);
        }
        // Not started yet: it only reads (and records) the hooks' last runs in the store.
        next_scheduler =
            std::make_unique<Scheduler>(spool_, dispatcher_, scheduled_hooks(next, for_hooks));
        if (http_) server_change = http_->prepare(next.listen, next.routing->server);
        // Started beside the old one, which still runs: if this fails, the old one goes on. The
        // store lets one of them claim a due slot, so no run is doubled meanwhile.
        next_scheduler->start();
    } catch (const std::exception& e) {
        return refuse(e.what());
    }
    if (const auto error = hand_over_changed(next, changed, instances); !error.empty())
        return refuse(error);
    // Swap: none of this throws.
    const size_t sinks =
        swap_in(next, instances, plugin_paths, kept_routes, std::move(next_scheduler));
    if (http_) http_->apply(server_change);
    dead_letter_removed_sinks(*next.routing);
    metrics_.counter(metric::reloads_total, {{"result", "ok"}}).fetch_add(1);
    log::info("configuration reloaded",
              {{"sinks", std::to_string(sinks)}, {"handed_over", std::to_string(changed.size())}});
    for (const auto& warning : server_change.warnings) log::warn(warning);
    warn_if_exposed(initial_.listen, next.routing->server.auth);
    return {"", server_change.warnings};
}

}  // namespace tg::host
