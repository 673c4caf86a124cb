#include "app/sink_handover.hpp"

#include "observability/log.hpp"

#include <atomic>
#include <future>

namespace tg::host {

Handover hand_over(Dispatcher& dispatcher, const std::string& sink, MakeSink make_new,
                   MakeSink make_old, std::chrono::seconds wait) {
    enum : int { pending, started, abandoned };
    struct State {
        std::atomic<int> phase{pending};
        std::promise<Handover> result;
    };
    auto state = std::make_shared<State>();
    auto future = state->result.get_future();
    const bool queued = dispatcher.run_on_worker(
        sink, [state, make_new, make_old, sink](std::shared_ptr<SinkInstance>& instance) {
            int expected = pending;
            if (!state->phase.compare_exchange_strong(expected, started)) return;
            Handover handover;
            if (!instance) {
                handover.error = "the host is stopping";
                state->result.set_value(handover);
                return;
            }
            instance.reset();  // the old instance ends before the new one opens its state
            try {
                instance = make_new();
            } catch (const std::exception& e) {
                handover.error = e.what();
                try {
                    instance = make_old();
                } catch (const std::exception& again) {
                    log::error(
                        "the sink can be created neither with its new configuration nor "
                        "with the old one; its deliveries wait in the spool",
                        {{"sink", sink}, {"new", e.what()}, {"old", again.what()}});
                }
            }
            handover.instance = instance;
            state->result.set_value(handover);
        });
    if (!queued) return {nullptr, "sink '" + sink + "' has no worker"};
    if (future.wait_for(wait) != std::future_status::ready) {
        int expected = pending;
        if (state->phase.compare_exchange_strong(expected, abandoned))
            return {nullptr, "sink '" + sink + "' stayed busy in a call for " +
                                 std::to_string(wait.count()) +
                                 " s; its configuration is unchanged, try again"};
    }
    return future.get();  // started meanwhile: creating an instance takes a moment
}

}  // namespace tg::host
