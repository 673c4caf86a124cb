// The service: HTTP intake, spool, dispatcher and scheduler, until SIGTERM or SIGINT.
#include "app/commands.hpp"

#include "dispatch/dispatcher.hpp"
#include "http/handler_factory.hpp"
#include "http/http_server.hpp"
#include "http/privileged_access.hpp"
#include "http/runtime.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "scheduler/scheduler.hpp"
#include "spool/spool.hpp"

#include <malloc.h>
#include <sys/stat.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

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

void register_spool_metrics(Metrics& metrics, Spool& spool) {
    metrics.gauge("tickets_grouping_build_info", "Build information (always 1).",
                  [] { return 1.0; }, {{"version", TG_VERSION}});
    metrics.gauge("tickets_grouping_spool_depth", "Deliveries waiting in the spool.",
                  [&spool] { return static_cast<double>(spool.stats().depth); });
    metrics.gauge("tickets_grouping_spool_oldest_age_seconds",
                  "Age of the oldest delivery waiting.", [&spool] {
                      const auto stats = spool.stats();
                      return stats.oldest_created_ms
                                 ? static_cast<double>(now_ms() - stats.oldest_created_ms) / 1000.0
                                 : 0.0;
                  });
    metrics.gauge("tickets_grouping_dead_letters", "Deliveries in the dead letters.",
                  [&spool] { return static_cast<double>(spool.stats().dead_letters); });
}

// The lease of claimed work; TICKETS_GROUPING_STORE_LEASE_MS (undocumented) shortens it for tests.
SpoolOptions spool_options(const Configuration& configuration) {
    SpoolOptions options;
    options.dead_letter_retention = configuration.routing->server.dead_letter_retention;
    if (auto text = configuration.env->get("TICKETS_GROUPING_STORE_LEASE_MS")) {
        try {
            options.lease = std::chrono::milliseconds(std::stoll(*text));
        } catch (const std::exception&) {
            throw UsageError("TICKETS_GROUPING_STORE_LEASE_MS: expected milliseconds, got \"" +
                             *text + "\"");
        }
    }
    return options;
}

// Today's env-file deployments listen on 0.0.0.0 without auth: they keep running, warned.
void warn_if_exposed(const std::string& listen, const WebhookAuth& auth) {
    const std::string warning = unauthenticated_exposure(listen, auth);
    if (!warning.empty()) log::warn(warning);
}

}  // namespace

int serve(const Options& options, const Configuration& initial) {
    // Signals go to the main thread's sigwait, never to a worker in the middle of a call.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    // Webhook bodies, their parsed alerts and payloads are buffers of megabytes that live for one
    // request. A fixed threshold keeps them in mmap()ed blocks that free() gives back to the
    // system; glibc's sliding one would move them into the heap arenas, where each of the
    // threads' arenas keeps its peak.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    ::umask(027);  // nothing we write (spool, state) is for other users to read

    const auto& routing = *initial.routing;
    std::filesystem::create_directories(initial.state_dir);
    if (initial.store.kind == StoreUrl::Kind::sqlite) {
        const auto spool_dir = std::filesystem::path(initial.store.sqlite_path).parent_path();
        if (!spool_dir.empty()) std::filesystem::create_directories(spool_dir);
    }
    Metrics metrics;
    Spool spool(initial.store, spool_options(initial));
    register_spool_metrics(metrics, spool);

    auto sinks = create_sinks(initial, "", &metrics);
    Dispatcher dispatcher(spool, metrics, {routing.server.max_crashes, routing.server.probe_after});
    for (const auto& [sink, retry] : with_retry(routing, sinks)) dispatcher.add_sink(sink, retry);
    spool.on_commit([&dispatcher] { dispatcher.wake(); });
    auto scheduler =
        std::make_unique<Scheduler>(spool, dispatcher, scheduled_hooks(initial, sinks));
    scheduler->start();

    Runtime runtime(spool, metrics, initial.routing);
    runtime.listen = initial.listen;
    runtime.sink_health = [&dispatcher] { return dispatcher.health(); };
    std::mutex reload_mutex;
    std::unique_ptr<HttpServer> http;
    // Reload as Alertmanager does: build everything new first; only if all of it loads, swap.
    runtime.reload = [&]() -> Runtime::ReloadResult {
        std::lock_guard lock(reload_mutex);
        try {
            Configuration next = load_configuration(options);
            if (next.state_dir != initial.state_dir)
                return {"state_dir cannot change on reload (restart to move the state)", {}};
            if (next.store.description != initial.store.description)
                return {"store cannot change on reload (restart to move the spool)", {}};
            auto next_sinks = create_sinks(next, "", &metrics);
            auto next_hooks = scheduled_hooks(next, next_sinks);
            auto server_change = http->prepare(next.listen, next.routing->server);
            scheduler->stop();
            dispatcher.reconfigure(with_retry(*next.routing, next_sinks));
            runtime.set_config(next.routing);
            scheduler = std::make_unique<Scheduler>(spool, dispatcher, std::move(next_hooks));
            scheduler->start();
            metrics
                .counter("tickets_grouping_reloads_total", "Configuration reloads by result.",
                         {{"result", "ok"}})
                .fetch_add(1);
            http->apply(server_change);
            log::info("configuration reloaded", {{"sinks", std::to_string(next_sinks.size())}});
            for (const auto& warning : server_change.warnings) log::warn(warning);
            warn_if_exposed(initial.listen, next.routing->server.auth);
            return {"", server_change.warnings};
        } catch (const std::exception& e) {
            metrics
                .counter("tickets_grouping_reloads_total", "Configuration reloads by result.",
                         {{"result", "failed"}})
                .fetch_add(1);
            log::error("reload refused, the running configuration stays", {{"error", e.what()}});
            return {std::string("reload refused: ") + e.what(), {}};
        }
    };

    http =
        std::make_unique<HttpServer>(new HandlerFactory(runtime), initial.listen, routing.server);
    http->start();
    log::info("listening", {{"address", initial.listen},
                            {"state_dir", initial.state_dir},
                            {"store", initial.store.description},
                            {"replica", spool.owner()},
                            {"sinks", std::to_string(sinks.size())},
                            {"version", TG_VERSION}});
    warn_if_exposed(initial.listen, routing.server.auth);
    sinks.clear();  // the dispatcher holds them now; a reload may replace them

    for (;;) {
        int signal = 0;
        sigwait(&signals, &signal);
        if (signal == SIGHUP) {
            runtime.reload();
            continue;
        }
        log::info("stopping", {{"signal", std::to_string(signal)}});
        break;
    }
    // Stop taking requests, let those in flight finish, then the workers' current calls.
    http->stop();
    for (int i = 0; i < 100 && http->current_connections() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    {
        std::lock_guard lock(reload_mutex);
        scheduler->stop();
    }
    if (!dispatcher.stop(std::chrono::seconds(10))) {
        // A sink is still in a call on a detached thread that uses the spool, the metrics and
        // the plugin: end the process without destroying any of them (what the intake committed
        // is on disk; the delivery in the call stays in the spool for the next start).
        log::info("stopped", {{"detached_calls", "1"}});
        std::fflush(nullptr);
        std::_Exit(0);
    }
    log::info("stopped");
    return 0;
}

}  // namespace tg::host
