// Where a one-shot command that calls sinks runs: here, holding the state directory's lock, when
// no host runs on it; otherwise in that host (POST /-/run-hook, /-/replay on its loopback
// address), so that no sink instance is ever created twice on one state directory.
#pragma once

#include "app/configuration.hpp"
#include "app/running_host_client.hpp"
#include "app/state_lock.hpp"
#include "http/command_output.hpp"

#include <Poco/URI.h>

#include <iostream>
#include <string>

namespace tg::host {

inline int print(const CommandOutput& output) {
    std::cout << output.out;
    std::cerr << output.err;
    return output.exit_code;
}

inline std::string query_value(const std::string& value) {
    std::string encoded;
    Poco::URI::encode(value, "&=+?#/:", encoded);
    return encoded;
}

// `local()` here when no host runs on the state directory; otherwise `path_and_query` with
// `body` sent to that host.
template <class Local>
CommandOutput here_or_through_host(const Configuration& configuration,
                                   const std::string& path_and_query, const std::string& body,
                                   Local local) {
    if (auto lock = StateLock::try_acquire(configuration.state_dir)) return local();
    const RunningHost host = StateLock::holder(configuration.state_dir);
    try {
        return send_to_running_host(configuration.state_dir, host,
                                    configuration.routing->server.auth, path_and_query, body);
    } catch (const RunningHostRefused& e) {
        return {1, "", std::string("tickets-grouping: ") + e.what() + "\n"};
    }
}

}  // namespace tg::host
