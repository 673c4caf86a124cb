// --run-hook and --replay, whichever process runs them: the one-shot command on instances of its
// own (no host runs on the state directory), or the running host on its sinks' workers when the
// command is sent to it (POST /-/run-hook, /-/replay).
#pragma once

#include "config/routing_config.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/command_output.hpp"
#include "plugins/sink_instance.hpp"
#include "spool/intake.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tg::host {

// Makes one call on the named sink; {TG_DROP, why} when it cannot.
using SinkCall = std::function<SinkCallResult(
    const std::string& sink, const std::function<SinkCallResult(SinkInstance&)>& call)>;

SinkCall call_on(const std::vector<std::shared_ptr<SinkInstance>>& sinks);
// On the sink's worker, between two deliveries.
SinkCall call_on_worker(Dispatcher& dispatcher);

CommandOutput run_hook_command(const SinkCall& call, const std::string& sink_and_hook,
                               bool dry_run);
// `text` is a saved webhook body, `source` its name in messages.
CommandOutput replay_command(const SinkCall& call, const RoutingConfig& routing,
                             const std::string& text, const std::string& source, bool dry_run);
// One delivery as it is spooled (a dead letter's, a replayed body's) given to its sink:
// "sink NAME (route PATH): ok|error" and, in a dry run, what the sink said it would do.
CommandOutput delivery_command(const SinkCall& call, const NewDelivery& delivery, bool dry_run);

}  // namespace tg::host
