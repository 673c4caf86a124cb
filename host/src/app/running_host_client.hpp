// A one-shot command sent to the host that runs on the same state directory, through its admin
// endpoints (POST /-/run-hook, /-/replay): on loopback, with the webhook's credentials when
// auth is configured (http/privileged_access.hpp).
#pragma once

#include "app/sink_commands.hpp"
#include "app/state_lock.hpp"
#include "config/routing_config.hpp"

#include <stdexcept>
#include <string>

namespace tg::host {

// The command could not be sent; the message names the running host's pid.
struct RunningHostRefused : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// POSTs `body` to `path_and_query` on the running host and returns what the command printed
// there. Throws RunningHostRefused.
CommandOutput send_to_running_host(const std::string& state_dir, const RunningHost& host,
                                   const WebhookAuth& auth, const std::string& path_and_query,
                                   const std::string& body);

}  // namespace tg::host
