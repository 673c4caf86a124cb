// --check-config, --run-hook and --replay: run once against the configuration, then exit. None
// of them creates a sink instance on a state directory that a running host uses (an instance
// owns its state_dir alone): --check-config creates its instances on a temporary directory;
// --run-hook and --replay go through the running host, or, when none runs, hold its lock.
#include "app/commands.hpp"

#include "app/here_or_through_host.hpp"
#include "app/sink_commands.hpp"
#include "app/temporary_state_dir.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace tg::host {

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
    return print(here_or_through_host(configuration, path, "", [&] {
        const auto sinks =
            create_sinks(configuration, sink_and_hook.substr(0, sink_and_hook.find(':')));
        return run_hook_command(call_on(sinks), sink_and_hook, dry_run);
    }));
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
    return print(here_or_through_host(configuration, path, text.str(), [&] {
        return replay_command(call_on(create_sinks(configuration)), *configuration.routing,
                              text.str(), file, dry_run);
    }));
}

}  // namespace tg::host
