// The dispatcher's side of one delivery and of one hook run: the sink's call, then its outcome in
// the spool (done, retried later, or dead-lettered), the metrics and the log.
#include "dispatch/backoff.hpp"
#include "dispatch/dispatcher.hpp"
#include "observability/log.hpp"

namespace tg::host {
namespace {

constexpr auto spool_error_pause = std::chrono::seconds(1);

const char* status_name(tg_status status) {
    switch (status) {
        case TG_OK:
            return "ok";
        case TG_RETRY_LATER:
            return "retry";
        default:
            return "drop";
    }
}

// The call took longer than the lease and the store did not hear from this replica meanwhile:
// another replica took the delivery over and records its outcome.
void log_lease_lost(const std::string& sink, const std::string& delivery) {
    log::warn("lease lost during the call: another replica has the delivery",
              {{"sink", sink}, {"delivery", delivery}});
}

void update_health(SinkHealth& health, const std::string& name, const SinkCallResult& result) {
    // A refusal for good (a dead letter) is an answer from a target that works: /readyz counts
    // dead letters instead of calling the sink unready.
    health.sink = name;
    health.healthy = result.status == TG_OK || result.status == TG_DROP;
    health.result = status_name(result.status);
    health.error = result.error;
    health.at_ms = now_ms();
    if (result.status == TG_OK) {
        health.last_success_ms = health.at_ms;
    } else {
        health.last_error_ms = health.at_ms;
        health.last_error = result.error;
    }
}

}  // namespace

void Dispatcher::pause_after_spool_error(Worker& worker) {
    worker.busy_since_ms = 0;
    std::unique_lock lock(worker.mutex);
    worker.cv.wait_for(lock, spool_error_pause, [&] { return worker.stopping; });
}

void Dispatcher::bury(const std::string& name, const SpooledDelivery& d, uint32_t attempts,
                      const std::string& reason) {
    const std::string id = std::to_string(d.id);
    if (!spool_.dead_letter(d, attempts, reason)) {
        log_lease_lost(name, id);
        return;
    }
    metrics_.counter(metric::dead_letters_total, {{"sink", name}}).fetch_add(1);
    log::error("delivery dead-lettered", {{"sink", name},
                                          {"route", d.route},
                                          {"delivery", id},
                                          {"attempt", std::to_string(attempts)},
                                          {"reason", reason}});
}

void Dispatcher::outcome_not_recorded(Worker& worker, const SpooledDelivery& d,
                                      const std::exception& e) {
    log::error("cannot record a delivery outcome",
               {{"sink", worker.name}, {"delivery", std::to_string(d.id)}, {"error", e.what()}});
    pause_after_spool_error(worker);
}

void Dispatcher::bury_untried(Worker& worker, const SpooledDelivery& d) {
    try {
        bury(worker.name, d, d.attempts,
             "the host stopped " + std::to_string(d.interrupted) +
                 " times during this delivery (server.max_crashes: " +
                 std::to_string(limits_.max_crashes) +
                 "): the sink may crash on it; not tried again" +
                 (d.last_error.empty() ? "" : "; last error: " + d.last_error));
    } catch (const std::exception& e) {
        outcome_not_recorded(worker, d, e);
    }
}

void Dispatcher::count_attempt(Worker& worker, const SpooledDelivery& d, uint32_t attempt,
                               const SinkCallResult& result) {
    const std::string& name = worker.name;
    {
        std::lock_guard lock(worker.mutex);
        update_health(worker.health, name, result);
    }
    DeliveryRecord record{
        d.id,     name, d.route, attempt, status_name(result.status), result.error.substr(0, 2000),
        now_ms(), {}};
    for (const auto& link : result.links) record.links.push_back({link.url, link.label});
    recent_.add(std::move(record));
    metrics_
        .counter(metric::deliveries_total, {{"sink", name}, {"result", status_name(result.status)}})
        .fetch_add(1);
}

std::optional<std::string> Dispatcher::give_up_reason(Worker& worker, SinkInstance& sink,
                                                      const RetryPolicy& retry,
                                                      const SpooledDelivery& d, uint32_t attempt,
                                                      const SinkCallResult& result) {
    const int64_t age_ms = now_ms() - d.created_ms;
    const bool exhausted =
        result.status == TG_DROP || (retry.max_attempts && attempt >= retry.max_attempts) ||
        age_ms >= std::chrono::duration_cast<std::chrono::milliseconds>(retry.max_age).count();
    if (exhausted)
        return result.status == TG_DROP
                   ? result.error
                   : "gave up after " + std::to_string(attempt) + " attempts: " + result.error;
    if (result.status == TG_RETRY_LATER && limits_.probe_after && attempt >= limits_.probe_after) {
        // The head keeps failing: if the target answers otherwise, it is this delivery the
        // target refuses, and every alert behind it would wait until max_age.
        // A probe has the instance alone (the ABI): this delivery's share of it is given up
        // meanwhile, and the other lanes' deliveries finish first.
        std::optional<SinkCallResult> probe;
        worker.gate.leave_shared();
        {
            CallGate::Alone alone(worker.gate);
            probe = sink.probe();
        }
        worker.gate.enter_shared();
        if (probe && probe->status == TG_OK)
            return "failed " + std::to_string(attempt) +
                   " attempts in a row while the sink's probe of its target succeeds "
                   "(server.probe_after: " +
                   std::to_string(limits_.probe_after) + "); last error: " + result.error;
    }
    return std::nullopt;
}

void Dispatcher::retry_later(const std::string& name, const RetryPolicy& retry,
                             const SpooledDelivery& d, uint32_t attempt, const std::string& error) {
    double unit;
    {
        std::lock_guard lock(random_mutex_);
        unit = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
    }
    const auto delay = retry_delay(attempt, retry.initial_backoff, retry.max_backoff, unit);
    if (!spool_.reschedule(d.id, attempt, now_ms() + delay.count(), error)) {
        log_lease_lost(name, std::to_string(d.id));
        return;
    }
    metrics_.counter(metric::retries_total, {{"sink", name}}).fetch_add(1);
    log::warn("delivery will be retried", {{"sink", name},
                                           {"route", d.route},
                                           {"delivery", std::to_string(d.id)},
                                           {"attempt", std::to_string(attempt)},
                                           {"retry_in_ms", std::to_string(delay.count())},
                                           {"error", error}});
}

void Dispatcher::record_outcome(Worker& worker, SinkInstance& sink, const RetryPolicy& retry,
                                const SpooledDelivery& d, uint32_t attempt,
                                const SinkCallResult& result) {
    const std::string& name = worker.name;
    if (result.status == TG_OK) {
        spool_.complete(d.id);
        log::info("delivered", {{"sink", name},
                                {"route", d.route},
                                {"delivery", std::to_string(d.id)},
                                {"attempt", std::to_string(attempt)}});
        return;
    }
    if (auto reason = give_up_reason(worker, sink, retry, d, attempt, result)) {
        bury(name, d, attempt, *reason);
        return;
    }
    retry_later(name, retry, d, attempt, result.error);
}

void Dispatcher::deliver(Worker& worker, SinkInstance& sink, const RetryPolicy& retry,
                         const SpooledDelivery& d) {
    if (d.interrupted >= limits_.max_crashes) {
        // The process ended that often while the sink had this delivery: it most likely kills
        // the process. Trying again would only start the crash loop over, and hold the queue.
        bury_untried(worker, d);
        return;
    }
    const uint32_t attempt = d.attempts + 1;
    const log::ScopedField in_delivery("delivery", std::to_string(d.id));
    const auto result = sink.deliver(d.payload, d.idempotency_key, d.route, attempt, false);
    count_attempt(worker, d, attempt, result);
    try {
        record_outcome(worker, sink, retry, d, attempt, result);
    } catch (const std::exception& e) {
        // The outcome is not recorded: the delivery stays due and is attempted again.
        outcome_not_recorded(worker, d, e);
    }
}

void Dispatcher::run_hooks(Worker& worker, SinkInstance& sink) {
    {
        std::lock_guard lock(worker.mutex);
        if (worker.hooks.empty()) return;
    }
    CallGate::Alone alone(worker.gate);  // no delivery of another lane meanwhile
    for (;;) {
        HookRequest request;
        {
            std::lock_guard lock(worker.mutex);
            if (worker.hooks.empty()) return;
            request = std::move(worker.hooks.front());
            worker.hooks.pop_front();
        }
        const auto result = sink.run_hook(request.hook, request.slot_ms, false);
        metrics_
            .counter(metric::hook_runs_total, {{"sink", worker.name},
                                               {"hook", request.hook},
                                               {"result", status_name(result.status)}})
            .fetch_add(1);
        if (request.done) request.done(result);
    }
}

}  // namespace tg::host
