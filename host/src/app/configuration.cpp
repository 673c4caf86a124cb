#include "app/configuration.hpp"

#include "config/config_error.hpp"
#include "config/route_matcher.hpp"
#include "config/routing_loader.hpp"
#include "config/server_settings.hpp"
#include "observability/log.hpp"
#include "plugins/plugin_loader.hpp"
#include "system/file_read.hpp"
#include "time/time_zone.hpp"

#include <sys/stat.h>
#include <charconv>
#include <cstdlib>
#include <filesystem>

namespace tg::host {

RoutingConfig default_routing() {
    RoutingConfig routing;
    SinkConfig sink;
    sink.name = "redmine";
    sink.plugin = "redmine_grouping";
    sink.config_json = "{}";
    routing.sinks.push_back(sink);
    routing.root.sink = "redmine";
    routing.root.path = "route";
    return routing;
}

void apply_sink_variables(const Environment& env, SinkConfig& sink) {
    const auto text = env.get("REDMINE_CONCURRENCY");
    if (!text) return;
    uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value < 1 ||
        value > SinkConfig::max_concurrency)
        throw ConfigError("", 0, "REDMINE_CONCURRENCY",
                          "expected an integer from 1 to " +
                              std::to_string(SinkConfig::max_concurrency) + ", got \"" + *text +
                              "\"");
    sink.concurrency = value;
}

Configuration load_configuration(const Options& options) {
    Configuration result;
    auto env = std::make_shared<Environment>(Environment::from_process());
    if (options.env_file) env->load_env_file(*options.env_file);
    result.env = env;

    if (options.config_file) {
        result.routing =
            std::make_shared<RoutingConfig>(load_routing_file(*options.config_file, *env));
    } else {
        if (!env->get("REDMINE_URL"))
            throw UsageError(
                "no routing file: give --config FILE, or set REDMINE_URL and the other REDMINE_* "
                "variables (environment or --env-file) to route every alert to Redmine");
        auto routing = std::make_shared<RoutingConfig>(default_routing());
        apply_sink_variables(*env, routing->sinks.front());
        apply_server_variables(*env, routing->server);
        check_server_variables(routing->server);
        result.routing = routing;
    }

    const char* systemd_state = std::getenv("STATE_DIRECTORY");
    if (options.state_dir)
        result.state_dir = *options.state_dir;
    else if (result.routing->state_dir)
        result.state_dir = *result.routing->state_dir;
    else if (systemd_state && *systemd_state) {
        // systemd may list several directories separated by ':'; the first is ours.
        result.state_dir =
            std::string(systemd_state).substr(0, std::string(systemd_state).find(':'));
    } else
        result.state_dir = "./state";

    const GetEnv get_env = [env](const std::string& name) { return env->get(name); };
    try {
        if (options.store)
            result.store = parse_store_url(*options.store, get_env);
        else if (result.routing->store)
            result.store = parse_store_url(*result.routing->store, get_env);
        else
            result.store = parse_store_url(default_store_url(result.state_dir), get_env);
    } catch (const StoreUrlError& e) {
        if (options.store) throw UsageError(std::string("--store: ") + e.what());
        throw ConfigError(result.routing->source_file, result.routing->store_line, "store",
                          e.what());
    }

    if (options.listen)
        result.listen = *options.listen;
    else if (result.routing->server.listen)
        result.listen = *result.routing->server.listen;
    else
        result.listen = "0.0.0.0:5005";
    return result;
}

namespace {

std::vector<std::string> plugin_search_dirs(const RoutingConfig& routing) {
    std::vector<std::string> search_dirs = routing.plugin_dirs;
    for (auto& dir : default_plugin_dirs()) search_dirs.push_back(dir);
    return search_dirs;
}

SinkHostContext host_context(const Configuration& configuration, const std::string& sink,
                             Metrics* metrics) {
    auto env = configuration.env;
    SinkHostContext host;
    host.routes_here = routes_here_for(configuration.routing, sink);
    host.log = [](tg_log_level level, const std::string& sink, const std::string& message) {
        static constexpr log::Level levels[] = {log::Level::debug, log::Level::info,
                                                log::Level::warn, log::Level::error};
        const auto index = static_cast<size_t>(level) < 4 ? static_cast<size_t>(level) : 3;
        log::write(levels[index], message, {{"sink", sink}});
    };
    host.get_env = [env](const std::string& name, std::string& value) {
        auto found = env->get(name);
        if (found) value = *found;
        return found.has_value();
    };
    if (configuration.store.kind == StoreUrl::Kind::postgresql)
        host.shared_store = configuration.store.connection_string;
    if (metrics)
        host.metric = [metrics](SinkHostContext::MetricKind kind, const std::string& name,
                                const Metrics::LabelSet& labels, double value) {
            return kind == SinkHostContext::MetricKind::counter
                       ? metrics->add(name, "Counted by a sink plugin.", labels, value)
                       : metrics->observe(name, "Observed by a sink plugin (seconds).", labels,
                                          value);
        };
    return host;
}

}  // namespace

SinkInstance::RoutesHere routes_here_for(std::shared_ptr<const RoutingConfig> routing,
                                         std::string sink) {
    return [routing = std::move(routing), sink = std::move(sink)](const Labels& labels) {
        if (!routing) return false;
        for (const Route* leaf : match_routes(routing->root, labels))
            if (leaf->sink == sink) return true;
        return false;
    };
}

std::string sink_plugin_path(const Configuration& configuration, const SinkConfig& sink) {
    return find_plugin(sink.plugin, plugin_search_dirs(*configuration.routing));
}

std::shared_ptr<SinkInstance> create_sink(const Configuration& configuration,
                                          const SinkConfig& sink, Metrics* metrics) {
    const auto& routing = *configuration.routing;
    // Located at the sink's definition: "routes.yaml:12: sinks.redmine.plugin: ...". The
    // env-file mode has no file and no keys to point at.
    const auto located = [&](const std::string& key, const std::string& problem) {
        if (routing.source_file.empty()) return ConfigError("", 0, "", problem);
        return ConfigError(routing.source_file, sink.line, "sinks." + sink.name + key, problem);
    };
    std::string path;
    const tg_sink_plugin* plugin = nullptr;
    try {
        path = sink_plugin_path(configuration, sink);
        plugin = load_plugin(path);
    } catch (const PluginError& e) {
        throw located(".plugin", e.what());
    }
    const auto state_dir = std::filesystem::path(configuration.state_dir) / "sinks" / sink.name;
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    if (ec)
        throw ConfigError("", 0, "",
                          "cannot create the sink's state directory " + state_dir.string() + ": " +
                              common::errno_text(ec.value()));
    ::chmod(state_dir.c_str(), 0750);
    std::shared_ptr<SinkInstance> instance;
    try {
        instance = std::make_shared<SinkInstance>(plugin, path, sink.name, sink.config_json,
                                                  state_dir.string(),
                                                  host_context(configuration, sink.name, metrics));
    } catch (const PluginError& e) {
        throw located(".config", e.what());
    }
    log::info("sink ready",
              {{"sink", sink.name},
               {"plugin", path},
               {"plugin_version", plugin->plugin_version ? plugin->plugin_version : ""}});
    return instance;
}

std::vector<std::shared_ptr<SinkInstance>> create_sinks(const Configuration& configuration,
                                                        const std::string& only, Metrics* metrics) {
    std::vector<std::shared_ptr<SinkInstance>> sinks;
    for (const auto& sink : configuration.routing->sinks) {
        if (!only.empty() && sink.name != only) continue;
        sinks.push_back(create_sink(configuration, sink, metrics));
    }
    if (!only.empty() && sinks.empty()) throw UsageError("no sink named '" + only + "'");
    return sinks;
}

std::vector<ScheduledHook> scheduled_hooks(
    const Configuration& configuration, const std::vector<std::shared_ptr<SinkInstance>>& sinks) {
    std::vector<ScheduledHook> hooks;
    const auto& routing = *configuration.routing;
    for (const auto& sink : sinks) {
        const SinkConfig* config = routing.find_sink(sink->name());
        if (config)
            for (const auto& [name, schedule] : config->hooks) {
                std::string declared_names;
                bool found = false;
                for (const auto& declared : sink->hooks()) {
                    found = found || declared.name == name;
                    declared_names += (declared_names.empty() ? "" : ", ") + declared.name;
                }
                if (!found)
                    throw UsageError("sinks." + sink->name() + ".hooks." + name +
                                     ": the sink declares no hook named '" + name + "' (it has: " +
                                     (declared_names.empty() ? "none" : declared_names) + ")");
            }
        for (const auto& declared : sink->hooks()) {
            HookSchedule schedule;
            if (config)
                if (auto it = config->hooks.find(declared.name); it != config->hooks.end())
                    schedule = it->second;
            if (!schedule.enabled) continue;
            const std::string cron = schedule.cron.value_or(declared.default_cron);
            const std::string zone = schedule.time_zone.value_or(
                !declared.time_zone.empty() ? declared.time_zone : routing.time_zone.value_or(""));
            try {
                hooks.push_back({sink->name(), declared.name, cron,
                                 common::CronSchedule::parse(cron), common::find_time_zone(zone)});
            } catch (const std::exception& e) {
                throw UsageError("sink '" + sink->name() + "' hook '" + declared.name +
                                 "': " + e.what());
            }
        }
    }
    return hooks;
}

}  // namespace tg::host
