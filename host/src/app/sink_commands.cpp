#include "app/sink_commands.hpp"

#include "intake/route_notification.hpp"
#include "webhook/notification.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <sstream>

namespace tg::host {
namespace {

// How long a command sent to the running host waits for a sink's worker to be free.
constexpr auto worker_wait = std::chrono::seconds(120);

// What a sink said during a dry run, under the line of its result.
std::string indented(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += "  " + line + "\n";
    return text;
}

// One call on the sink and, in a dry run, what the sink said during it.
struct TranscribedCall {
    SinkCallResult result;
    std::vector<std::string> said;
};
TranscribedCall call_transcribed(const SinkCall& call, const std::string& sink, bool dry_run,
                                 const std::function<SinkCallResult(SinkInstance&)>& what) {
    TranscribedCall out;
    out.result = call(sink, [&](SinkInstance& instance) {
        std::optional<SinkInstance::Transcript> transcript;
        if (dry_run) transcript.emplace(instance);
        auto result = what(instance);
        if (transcript) out.said = transcript->lines();
        return result;
    });
    return out;
}

}  // namespace

SinkCall call_on(const std::vector<std::shared_ptr<SinkInstance>>& sinks) {
    return [sinks](const std::string& name,
                   const std::function<SinkCallResult(SinkInstance&)>& call) -> SinkCallResult {
        for (const auto& sink : sinks)
            if (sink->name() == name) return call(*sink);
        return {TG_DROP, "no sink named '" + name + "'"};
    };
}

SinkCall call_on_worker(Dispatcher& dispatcher) {
    return [&dispatcher](
               const std::string& name,
               const std::function<SinkCallResult(SinkInstance&)>& call) -> SinkCallResult {
        // Shared with the task. The call given refers to the caller's stack: the task may run
        // it only while the caller waits. Pending until the worker takes the task; then
        // running (the caller waits it out, however long) or, when the caller gave up first,
        // abandoned (the task does nothing).
        enum Phase { pending, running, abandoned };
        struct State {
            std::promise<SinkCallResult> result;
            std::atomic<Phase> phase{pending};
            std::function<SinkCallResult(SinkInstance&)> call;
        };
        auto state = std::make_shared<State>();
        state->call = call;
        auto future = state->result.get_future();
        const bool queued =
            dispatcher.run_on_worker(name, [state](std::shared_ptr<SinkInstance>& instance) {
                Phase expected = pending;
                if (!state->phase.compare_exchange_strong(expected, running)) return;
                try {
                    state->result.set_value(instance
                                                ? state->call(*instance)
                                                : SinkCallResult{TG_DROP, "the host is stopping"});
                } catch (...) {
                    state->result.set_exception(std::current_exception());
                }
            });
        if (!queued) return {TG_DROP, "no sink named '" + name + "'"};
        if (future.wait_for(worker_wait) != std::future_status::ready) {
            Phase expected = pending;
            if (state->phase.compare_exchange_strong(expected, abandoned))
                return {TG_RETRY_LATER,
                        "the sink's worker stayed busy for 120 s (a call in progress); "
                        "nothing was done, try again"};
            // Taken just now or earlier: it ends, and its result is this call's.
        }
        return future.get();
    };
}

CommandOutput run_hook_command(const SinkCall& call, const std::string& sink_and_hook,
                               bool dry_run) {
    const auto colon = sink_and_hook.find(':');
    const std::string sink = sink_and_hook.substr(0, colon);
    const std::string hook = sink_and_hook.substr(colon + 1);
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const auto [result, said] = call_transcribed(call, sink, dry_run, [&](SinkInstance& instance) {
        return instance.run_hook(hook, now, dry_run);
    });
    CommandOutput output;
    if (result.status != TG_OK) {
        output.exit_code = 1;
        output.err = "hook " + sink_and_hook + " failed: " + result.error + "\n";
        return output;
    }
    output.out =
        "hook " + sink_and_hook + (dry_run ? " (dry run)" : "") + ": done\n" + indented(said);
    return output;
}

CommandOutput delivery_command(const SinkCall& call, const NewDelivery& delivery, bool dry_run) {
    const auto [result,
                said] = call_transcribed(call, delivery.sink, dry_run, [&](SinkInstance& sink) {
        return sink.deliver(delivery.payload, delivery.idempotency_key, delivery.route, 1, dry_run);
    });
    CommandOutput output;
    output.out = "sink " + delivery.sink + " (route " + delivery.route +
                 "): " + (result.status == TG_OK ? "ok" : result.error) + "\n" + indented(said);
    output.exit_code = result.status == TG_OK ? 0 : 1;
    return output;
}

CommandOutput replay_command(const SinkCall& call, const RoutingConfig& routing,
                             const std::string& text, const std::string& source, bool dry_run) {
    CommandOutput output;
    Notification notification;
    try {
        ParseLimits limits;
        limits.max_alerts = routing.server.max_alerts;
        notification = parse_notification(text, limits);
    } catch (const WebhookError& e) {
        output.exit_code = 1;
        output.err = source + ": " + e.what() + "\n";
        return output;
    }
    for (const auto& delivery : route_notification(notification, routing.root)) {
        const CommandOutput one = delivery_command(call, delivery, dry_run);
        output.out += one.out;
        output.exit_code = std::max(output.exit_code, one.exit_code);
    }
    return output;
}

}  // namespace tg::host
