// --check-config, --run-hook and --replay: run once against the configuration, then exit. None
// of them creates a sink instance on a state directory that a running host uses (an instance
// owns its state_dir alone): --check-config creates its instances on a temporary directory;
// --run-hook and --replay go through the running host, or, when none runs, hold its lock.
#include "app/commands.hpp"

#include "app/running_host_client.hpp"
#include "app/sink_commands.hpp"
#include "app/state_lock.hpp"
#include "app/temporary_state_dir.hpp"

#include <Poco/URI.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace tg::host {
namespace {

int print(const CommandOutput& output) {
    std::cout << output.out;
    std::cerr << output.err;
    return output.exit_code;
}

// Runs `command` here, holding the state directory's lock, when no host runs there; otherwise
// sends it to that host (`path_and_query`, `body`).
template <class Local>
int here_or_through_host(const Configuration& configuration, const std::string& path_and_query,
                         const std::string& body, Local local) {
    if (auto lock = StateLock::try_acquire(configuration.state_dir)) return print(local());
    const RunningHost host = StateLock::holder(configuration.state_dir);
    try {
        return print(send_to_running_host(configuration.state_dir, host,
                                          configuration.routing->server.auth, path_and_query,
                                          body));
    } catch (const RunningHostRefused& e) {
        std::cerr << "tickets-grouping: " << e.what() << '\n';
        return 1;
    }
}

std::string query_value(const std::string& value) {
    std::string encoded;
    Poco::URI::encode(value, "&=+?#/:", encoded);
    return encoded;
}

}  // namespace

int check_config(const Configuration& configuration) {
    // Sinks created here are throwaway ones: never on the state directory of a running host.
    TemporaryStateDir state;
    Configuration throwaway = configuration;
    throwaway.state_dir = state.path();
    std::vector<std::shared_ptr<SinkInstance>> sinks;
    try {
        sinks = create_sinks(throwaway);
        scheduled_hooks(throwaway, sinks);
    } catch (const std::exception& e) {
        std::cerr << "tickets-grouping: configuration error: " << e.what() << '\n';
        return 1;
    }
    int problems = 0;
    for (const auto& sink : sinks) {
        const auto result = sink->check();
        if (result.status == TG_OK) {
            std::cout << "sink " << sink->name() << ": ok\n";
        } else {
            std::cout << "sink " << sink->name() << ": " << result.error << '\n';
            ++problems;
        }
    }
    const auto& routing = *configuration.routing;
    std::cout << (routing.source_file.empty() ? std::string("REDMINE_* variables")
                                              : routing.source_file)
              << ": " << routing.sinks.size() << " sink(s), " << (problems ? "NOT ok" : "ok")
              << '\n';
    return problems ? 1 : 0;
}

int run_hook_now(const Configuration& configuration, const std::string& sink_and_hook,
                 bool dry_run) {
    const std::string path =
        "/-/run-hook?hook=" + query_value(sink_and_hook) + (dry_run ? "&dry_run=true" : "");
    return here_or_through_host(configuration, path, "", [&] {
        const auto sinks =
            create_sinks(configuration, sink_and_hook.substr(0, sink_and_hook.find(':')));
        return run_hook_command(call_on(sinks), sink_and_hook, dry_run);
    });
}

int replay(const Configuration& configuration, const std::string& file, bool dry_run) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "cannot read " << file << '\n';
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    const std::string path =
        "/-/replay?source=" + query_value(file) + (dry_run ? "&dry_run=true" : "");
    return here_or_through_host(configuration, path, text.str(), [&] {
        return replay_command(call_on(create_sinks(configuration)), *configuration.routing,
                              text.str(), file, dry_run);
    });
}

}  // namespace tg::host
