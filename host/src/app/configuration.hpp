// Everything the command line, the env file and the routing file decide, resolved once.
#pragma once

#include "app/options.hpp"
#include "config/env.hpp"
#include "config/routing_config.hpp"
#include "observability/metrics.hpp"
#include "plugins/sink_instance.hpp"
#include "scheduler/scheduler.hpp"
#include "spool/store_url.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tg::host {

struct Configuration {
    std::shared_ptr<const Environment> env;
    std::shared_ptr<const RoutingConfig> routing;
    std::string state_dir;
    StoreUrl store;      // --store, else the routing file's store:, else SQLite in state_dir
    std::string listen;  // ADDR:PORT
};

// Throws ConfigError or UsageError with a message for the operator.
Configuration load_configuration(const Options& options);

// The routing used when no routing file is given: every alert to one redmine_grouping sink
// named "redmine", configured by the REDMINE_* variables.
RoutingConfig default_routing();
// The env-file twins of the default routing's sink settings: REDMINE_CONCURRENCY. Throws
// ConfigError naming the variable.
void apply_sink_variables(const Environment& env, SinkConfig& sink);

// Loads the plugins and creates the sinks (all, or only `only` when given). The sinks' metrics
// go to `metrics` (none: dropped).
std::vector<std::shared_ptr<SinkInstance>> create_sinks(const Configuration& configuration,
                                                        const std::string& only = "",
                                                        Metrics* metrics = nullptr);

// One sink of the configuration, on its state directory (<state_dir>/sinks/<name>).
std::shared_ptr<SinkInstance> create_sink(const Configuration& configuration,
                                          const SinkConfig& sink, Metrics* metrics);
// What the sink named `sink` answers to routes_here (ABI 1.5) under `routing`: whether an alert
// with these labels, routed as a webhook's alert is (match_routes), reaches a leaf whose sink it
// is. create_sink gives it to a new instance, a reload to the instances it keeps.
SinkInstance::RoutesHere routes_here_for(std::shared_ptr<const RoutingConfig> routing,
                                         std::string sink);
// The file the sink's plugin is loaded from (throws PluginError when there is none).
std::string sink_plugin_path(const Configuration& configuration, const SinkConfig& sink);

std::vector<ScheduledHook> scheduled_hooks(const Configuration& configuration,
                                           const std::vector<std::shared_ptr<SinkInstance>>& sinks);

}  // namespace tg::host
