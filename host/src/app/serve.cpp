// The service: HTTP intake, spool, dispatcher and scheduler, until SIGTERM or SIGINT.
#include "app/commands.hpp"
#include "app/reloader.hpp"
#include "app/sink_commands.hpp"
#include "app/state_lock.hpp"
#include "app/systemd_notifier.hpp"

#include "dispatch/dispatcher.hpp"
#include "http/handler_factory.hpp"
#include "http/http_server.hpp"
#include "http/privileged_access.hpp"
#include "http/runtime.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "scheduler/scheduler.hpp"
#include "spool/dead_letter_store.hpp"
#include "spool/spool.hpp"

#include <malloc.h>
#include <sys/stat.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>

namespace tg::host {
namespace {

void register_spool_metrics(Metrics& metrics, Spool& spool) {
    metrics.gauge(metric::build_info, [] { return 1.0; }, {{"version", TG_VERSION}});
    metrics.gauge(metric::spool_depth,
                  [&spool] { return static_cast<double>(spool.stats().depth); });
    metrics.gauge(metric::spool_oldest_age_seconds, [&spool] {
        const auto stats = spool.stats();
        return stats.oldest_created_ms
                   ? static_cast<double>(now_ms() - stats.oldest_created_ms) / 1000.0
                   : 0.0;
    });
    metrics.gauge(metric::dead_letters,
                  [&spool] { return static_cast<double>(spool.stats().dead_letters); });
}

// Per sink: every configured sink (0 when it has nothing waiting), and any other still holding
// rows in the store (a sink removed from the configuration, another replica's).
void register_sink_queue_metrics(Metrics& metrics, Spool& spool, const Runtime& runtime) {
    auto per_sink = [&spool, &runtime](auto value) {
        return [&spool, &runtime, value] {
            auto stats = spool.sink_stats();
            for (const auto& sink : runtime.config()->sinks) stats.try_emplace(sink.name);
            Metrics::Samples samples;
            for (const auto& [sink, s] : stats) samples.push_back({{{"sink", sink}}, value(s)});
            return samples;
        };
    };
    metrics.gauges(metric::queue_depth,
                   per_sink([](const SpoolStats& s) { return static_cast<double>(s.depth); }));
    metrics.gauges(metric::queue_oldest_age_seconds, per_sink([](const SpoolStats& s) {
                       return s.oldest_created_ms
                                  ? static_cast<double>(now_ms() - s.oldest_created_ms) / 1000.0
                                  : 0.0;
                   }));
    metrics.gauges(metric::queue_dead_letters, per_sink([](const SpoolStats& s) {
                       return static_cast<double>(s.dead_letters);
                   }));
}

// What GET / shows beyond /readyz: the build, the queues, the newest dead letters (one session of
// their own, one page at a time: a Poco session is not shared between threads), the hooks and
// the recent deliveries with their tickets.
void wire_status_page(Runtime& runtime, Spool& spool, Dispatcher& dispatcher, Reloader& reloader,
                      const StoreUrl& store) {
    runtime.version = TG_VERSION;
    runtime.sink_queues = [&spool] { return spool.sink_stats(); };
    auto dead_letters = std::make_shared<DeadLetterStore>(store);
    auto mutex = std::make_shared<std::mutex>();
    runtime.latest_dead_letters = [dead_letters, mutex](size_t limit) {
        std::lock_guard lock(*mutex);
        return dead_letters->latest(limit);
    };
    runtime.hooks = [&reloader] { return reloader.hook_status(); };
    runtime.recent_deliveries = [&dispatcher] { return dispatcher.recent_deliveries(); };
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

// Signals go to the main thread's sigwait, never to a worker in the middle of a call.
sigset_t block_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return signals;
}

void set_memory_and_file_modes() {
    // Webhook bodies, their parsed alerts and payloads are buffers of megabytes that live for one
    // request. A fixed threshold keeps them in mmap()ed blocks that free() gives back to the
    // system; glibc's sliding one would move them into the heap arenas, where each of the
    // threads' arenas keeps its peak.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    ::umask(027);  // nothing we write (spool, state) is for other users to read
}

// The state directory, locked, and the SQLite spool's directory.
StateLock prepare_directories(const Configuration& initial) {
    std::filesystem::create_directories(initial.state_dir);
    // Its sinks own their state directories alone: one host per state directory.
    auto state_lock = StateLock::try_acquire(initial.state_dir);
    if (!state_lock)
        throw std::runtime_error(
            in_use_message(initial.state_dir, StateLock::holder(initial.state_dir)) +
            ": stop it first, or give this host a --state-dir of its own");
    if (initial.store.kind == StoreUrl::Kind::sqlite) {
        const auto spool_dir = std::filesystem::path(initial.store.sqlite_path).parent_path();
        if (!spool_dir.empty()) std::filesystem::create_directories(spool_dir);
    }
    return std::move(*state_lock);
}

// The commands the HTTP API runs on request: a reload, a hook, a replay, a dead letter's dry run.
void wire_commands(Runtime& runtime, Dispatcher& dispatcher, Reloader& reloader) {
    runtime.reload = [&reloader] { return reloader.reload(); };
    runtime.run_hook = [&dispatcher](const std::string& sink_and_hook, bool dry_run) {
        log::info("running a hook on request", {{"hook", sink_and_hook}});
        return run_hook_command(call_on_worker(dispatcher), sink_and_hook, dry_run);
    };
    runtime.replay = [&dispatcher, &runtime](const std::string& body, const std::string& source,
                                             bool dry_run) {
        log::info("replaying on request", {{"source", source}});
        return replay_command(call_on_worker(dispatcher), *runtime.config(), body, source, dry_run);
    };

    runtime.dry_deliver = [&dispatcher](const std::string& sink, const std::string& route,
                                        const std::string& key, const std::string& payload) {
        log::info("a dead letter's dry run on request", {{"sink", sink}});
        return delivery_command(call_on_worker(dispatcher), {sink, route, payload, key, ""}, true);
    };
}

// A keep-alive when no worker has been busy for longer than the watchdog's timeout; else none,
// and the stuck sink logged once. Returns whether keep-alives are withheld now.
bool keep_alive_unless_stalled(Dispatcher& dispatcher, SystemdNotifier& systemd,
                               std::chrono::milliseconds watchdog, bool withheld) {
    const auto stalls = dispatcher.stalled(watchdog);
    if (stalls.empty()) {
        systemd.keep_alive();
    } else if (!withheld) {
        log::error("a sink's worker is stuck: the watchdog's keep-alives stop",
                   {{"sink", stalls.front().sink},
                    {"busy_seconds", std::to_string(stalls.front().busy.count() / 1000)}});
    }
    return !stalls.empty();
}

// Until SIGTERM or SIGINT; SIGHUP reloads.
// With a watchdog (WatchdogSec=), keep-alives at a third of its timeout, while no sink's
// worker has been busy in one round for longer than the timeout itself: a worker stuck there
// (a call that never returns, a store that never answers) gets the host restarted, and its
// unrecorded claim then counts towards server.max_crashes.
void wait_for_stop(const sigset_t& signals, Dispatcher& dispatcher, SystemdNotifier& systemd,
                   Runtime& runtime) {
    const auto watchdog = systemd.watchdog_timeout();
    const auto tick = watchdog ? *watchdog / 3 : std::chrono::milliseconds(0);
    bool withheld = false;
    for (;;) {
        int signal = 0;
        if (watchdog) {
            const timespec timeout{static_cast<time_t>(tick.count() / 1000),
                                   static_cast<long>(tick.count() % 1000) * 1000000};
            signal = sigtimedwait(&signals, nullptr, &timeout);
            if (signal < 0) {
                withheld = keep_alive_unless_stalled(dispatcher, systemd, *watchdog, withheld);
                continue;
            }
        } else {
            sigwait(&signals, &signal);
        }
        if (signal == SIGHUP) {
            runtime.reload();
            continue;
        }
        log::info("stopping", {{"signal", std::to_string(signal)}});
        return;
    }
}

// Stop taking requests, let those in flight finish, then the workers' current calls.
int stop_serving(HttpServer& http, Reloader& reloader, Dispatcher& dispatcher) {
    http.stop(std::chrono::seconds(5));
    reloader.stop();
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

}  // namespace

int serve(const Options& options, const Configuration& initial) {
    const sigset_t signals = block_signals();
    set_memory_and_file_modes();

    const auto& routing = *initial.routing;
    StateLock state_lock = prepare_directories(initial);
    Metrics metrics;
    Spool spool(initial.store, spool_options(initial));
    register_spool_metrics(metrics, spool);

    Dispatcher dispatcher(spool, metrics, {routing.server.max_crashes, routing.server.probe_after});
    spool.on_commit([&dispatcher] { dispatcher.wake(); });
    Runtime runtime(spool, metrics, initial.routing);
    runtime.listen = initial.listen;
    register_sink_queue_metrics(metrics, spool, runtime);
    runtime.dead_letters = [&spool] { return spool.stats().dead_letters; };
    runtime.sink_health = [&dispatcher] { return dispatcher.health(); };
    Reloader reloader(options, initial, spool, dispatcher, metrics, runtime);
    reloader.start();
    wire_status_page(runtime, spool, dispatcher, reloader, initial.store);
    wire_commands(runtime, dispatcher, reloader);
    auto http =
        std::make_unique<HttpServer>(new HandlerFactory(runtime), initial.listen, routing.server);
    reloader.set_http(http.get());
    http->start();
    state_lock.publish(initial.listen, routing.server.tls.has_value());
    log::info("listening", {{"address", initial.listen},
                            {"state_dir", initial.state_dir},
                            {"store", initial.store.description},
                            {"replica", spool.owner()},
                            {"sinks", std::to_string(routing.sinks.size())},
                            {"version", TG_VERSION}});
    warn_if_exposed(initial.listen, routing.server.auth);
    SystemdNotifier systemd;
    systemd.ready("listening on " + initial.listen);

    wait_for_stop(signals, dispatcher, systemd, runtime);
    systemd.stopping();
    return stop_serving(*http, reloader, dispatcher);
}

}  // namespace tg::host
