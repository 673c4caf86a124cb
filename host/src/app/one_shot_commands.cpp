// --check-config, --run-hook and --replay: run once against the configuration, then exit.
#include "app/commands.hpp"

#include "intake/route_notification.hpp"
#include "observability/log.hpp"
#include "webhook/notification.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace tg::host {

int check_config(const Configuration& configuration) {
    std::vector<std::shared_ptr<SinkInstance>> sinks;
    try {
        sinks = create_sinks(configuration);
        scheduled_hooks(configuration, sinks);
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
    const auto colon = sink_and_hook.find(':');
    const std::string sink_name = sink_and_hook.substr(0, colon);
    const std::string hook = sink_and_hook.substr(colon + 1);
    auto sinks = create_sinks(configuration, sink_name);
    const auto result =
        sinks.front()->run_hook(hook,
                                std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count(),
                                dry_run);
    if (result.status != TG_OK) {
        std::cerr << "hook " << sink_and_hook << " failed: " << result.error << '\n';
        return 1;
    }
    std::cout << "hook " << sink_and_hook << (dry_run ? " (dry run)" : "") << ": done\n";
    return 0;
}

int replay(const Configuration& configuration, const std::string& file, bool dry_run) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "cannot read " << file << '\n';
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    Notification notification;
    try {
        ParseLimits limits;
        limits.max_alerts = configuration.routing->server.max_alerts;
        notification = parse_notification(text.str(), limits);
    } catch (const WebhookError& e) {
        std::cerr << file << ": " << e.what() << '\n';
        return 1;
    }
    auto sinks = create_sinks(configuration);
    int failures = 0;
    for (const auto& delivery : route_notification(notification, configuration.routing->root)) {
        for (const auto& sink : sinks) {
            if (sink->name() != delivery.sink) continue;
            const auto result = sink->deliver(delivery.payload, delivery.idempotency_key,
                                              delivery.route, 1, dry_run);
            std::cout << "sink " << sink->name() << " (route " << delivery.route
                      << "): " << (result.status == TG_OK ? "ok" : result.error) << '\n';
            if (result.status != TG_OK) ++failures;
        }
    }
    return failures ? 1 : 0;
}

}  // namespace tg::host
