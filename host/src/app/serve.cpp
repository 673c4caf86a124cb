// The service: HTTP intake, spool, dispatcher and scheduler, until SIGTERM or SIGINT.
#include "app/commands.hpp"

#include "dispatch/dispatcher.hpp"
#include "http/handler_factory.hpp"
#include "http/runtime.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "scheduler/scheduler.hpp"
#include "spool/spool.hpp"

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <filesystem>
#include <sys/stat.h>

namespace tg::host {
namespace {

Poco::Net::SocketAddress parse_listen(const std::string& listen) {
    try {
        return Poco::Net::SocketAddress(listen);
    } catch (const Poco::Exception& e) {
        throw UsageError("cannot listen on '" + listen + "': " + e.displayText() + " (use ADDR:PORT)");
    }
}

}  // namespace

int serve(const Configuration& configuration) {
    // Signals go to the main thread's sigwait, never to a worker in the middle of a call.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    ::umask(027);  // nothing we write (spool, state) is for other users to read

    const auto& routing = *configuration.routing;
    std::filesystem::create_directories(configuration.state_dir);
    const std::string spool_path = (std::filesystem::path(configuration.state_dir) / "spool.sqlite3").string();
    Metrics metrics;
    Spool spool(spool_path);
    auto sinks = create_sinks(configuration);
    auto hooks = scheduled_hooks(configuration, sinks);

    metrics.counter("tickets_grouping_build_info", "Build information.", {{"version", TG_VERSION}}).store(1);
    metrics.gauge("tickets_grouping_spool_depth", "Deliveries waiting in the spool.",
                  [&spool] { return static_cast<double>(spool.stats().depth); });
    metrics.gauge("tickets_grouping_spool_oldest_age_seconds", "Age of the oldest delivery waiting.", [&spool] {
        const auto stats = spool.stats();
        return stats.oldest_created_ms ? static_cast<double>(now_ms() - stats.oldest_created_ms) / 1000.0 : 0.0;
    });
    metrics.gauge("tickets_grouping_dead_letters", "Deliveries in the dead letters.",
                  [&spool] { return static_cast<double>(spool.stats().dead_letters); });

    Dispatcher dispatcher(spool, metrics);
    for (const auto& sink : sinks) {
        const SinkConfig* config = routing.find_sink(sink->name());
        dispatcher.add_sink(sink, config ? config->retry : RetryPolicy{});
    }
    spool.on_commit([&dispatcher] { dispatcher.wake(); });
    Scheduler scheduler(spool, dispatcher, hooks);
    scheduler.start();

    Runtime runtime(spool, metrics, configuration.routing);
    auto params = new Poco::Net::HTTPServerParams;
    // Poco holds a pool thread for each keep-alive connection: size the pool for the clients
    // (Alertmanager peers, Prometheus, probes) and let idle connections go quickly.
    params->setMaxThreads(routing.server.max_threads);
    params->setMaxQueued(routing.server.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setMaxKeepAliveRequests(1000);
    params->setTimeout(Poco::Timespan(15, 0));  // a client that trickles its body is cut off
    Poco::ThreadPool pool("http", 2, routing.server.max_threads);
    Poco::Net::ServerSocket socket(parse_listen(configuration.listen), 256);
    Poco::Net::HTTPServer server(new HandlerFactory(runtime), pool, socket, params);
    server.start();
    log::info("listening", {{"address", configuration.listen}, {"state_dir", configuration.state_dir},
                            {"sinks", std::to_string(sinks.size())}, {"version", TG_VERSION}});

    for (;;) {
        int signal = 0;
        sigwait(&signals, &signal);
        if (signal == SIGHUP) {
            log::warn("SIGHUP received: reloading is not supported yet; restart to apply changes");
            continue;
        }
        log::info("stopping", {{"signal", std::to_string(signal)}});
        break;
    }
    // Stop taking requests, let those in flight finish, then the workers' current calls.
    server.stopAll(false);
    for (int i = 0; i < 100 && server.currentConnections() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    scheduler.stop();
    dispatcher.stop(std::chrono::seconds(10));
    log::info("stopped");
    return 0;
}

}  // namespace tg::host
