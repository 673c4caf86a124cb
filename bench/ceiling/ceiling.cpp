// tickets-grouping-bench-ceiling: the host's HTTP intake with no spool at all, for the loopback
// ceiling of bench/run.sh. Same HTTP server settings, same handlers, same parsing and routing as
// tickets-grouping; the routed deliveries are dropped instead of committed, so the difference to
// the real host is what durability costs.
//
// It acknowledges alerts it does not keep: it is built for the benchmarks only, never installed
// or packaged, listens on loopback only, and says so on every start.
//
//   tickets-grouping-bench-ceiling --config routes.yaml --listen 127.0.0.1:PORT
#include "app/configuration.hpp"
#include "app/options.hpp"
#include "http/handler_factory.hpp"
#include "http/http_server.hpp"
#include "http/runtime.hpp"
#include "observability/metrics.hpp"
#include "spool/intake.hpp"

#include <Poco/Net/SocketAddress.h>

#include <csignal>
#include <iostream>

namespace {

using namespace tg::host;

// Stores nothing; counts what it would have stored, for the report.
class DiscardingIntake final : public Intake {
  public:
    void commit(std::vector<NewDelivery> deliveries) override { dropped += deliveries.size(); }
    std::string write_error() const override { return ""; }
    std::atomic<uint64_t> dropped{0};
};

bool loopback(const std::string& listen) {
    try {
        return Poco::Net::SocketAddress(listen).host().isLoopback();
    } catch (const Poco::Exception&) {
        return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Options options;
        for (int i = 1; i + 1 < argc; i += 2) {
            const std::string arg = argv[i];
            if (arg == "--config")
                options.config_file = argv[i + 1];
            else if (arg == "--listen")
                options.listen = argv[i + 1];
            else
                throw UsageError("unknown option " + arg);
        }
        if (!options.config_file || !options.listen || argc % 2 == 0)
            throw UsageError("usage: --config FILE --listen 127.0.0.1:PORT");
        // A host that drops what it acknowledges must not be reachable by Alertmanager.
        if (!loopback(*options.listen))
            throw UsageError("listens on loopback only (127.0.0.1:PORT), not " + *options.listen);
        std::cerr << "tickets-grouping-bench-ceiling: BENCHMARK ONLY, no spool: every accepted "
                     "alert is dropped\n";

        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        const Configuration configuration = load_configuration(options);
        Metrics metrics;
        DiscardingIntake intake;
        Runtime runtime(intake, metrics, configuration.routing);
        runtime.listen = configuration.listen;
        HttpServer server(new HandlerFactory(runtime), configuration.listen,
                          configuration.routing->server);
        server.start();
        int signal = 0;
        sigwait(&signals, &signal);
        server.stop(std::chrono::seconds(5));
        std::cerr << "tickets-grouping-bench-ceiling: dropped " << intake.dropped.load()
                  << " deliveries\n";
        return 0;
    } catch (const UsageError& e) {
        std::cerr << "tickets-grouping-bench-ceiling: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "tickets-grouping-bench-ceiling: " << e.what() << '\n';
        return 1;
    }
}
