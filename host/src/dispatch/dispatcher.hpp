// Takes deliveries from the spool and hands them to their sinks: one worker per sink, so a slow or
// stuck sink delays only its own work, and each sink sees its deliveries in arrival order. A sink
// with delivery groups (ABI 1.6) and a concurrency above 1 has that many threads (lanes) taking
// the heads of different groups at once: each group in arrival order, one delivery at a time.
#pragma once

#include "config/routing_config.hpp"
#include "dispatch/call_gate.hpp"
#include "observability/metrics.hpp"
#include "observability/recent_deliveries.hpp"
#include "observability/sink_health.hpp"
#include "plugins/sink_instance.hpp"
#include "spool/spool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tg::host {

// Limits on one delivery beyond its sink's retry policy (server settings, the same for all sinks).
struct DeliveryLimits {
    // Claims whose outcome was never recorded (the process died in the sink's call) before the
    // delivery goes to the dead letters untried: a sink that crashes the host on one delivery.
    uint32_t max_crashes = 3;
    // Failed attempts of a head after which the sink's probe (if it has one) is asked whether its
    // target is otherwise healthy: then the head goes to the dead letters. 0: never.
    uint32_t probe_after = 10;
};

// A sink as the dispatcher runs it.
struct DispatchedSink {
    std::shared_ptr<SinkInstance> sink;
    RetryPolicy retry;
    // Deliveries at once: the routing file's `concurrency` for a sink with delivery groups, else
    // 1 (dispatched_concurrency).
    uint32_t concurrency = 1;
};

// What a sink gets: its configured concurrency when it declares delivery groups, else 1.
uint32_t dispatched_concurrency(const SinkInstance& sink, uint32_t configured);

class Dispatcher {
  public:
    Dispatcher(Spool& spool, Metrics& metrics, DeliveryLimits limits = {});
    ~Dispatcher();

    void add_sink(std::shared_ptr<SinkInstance> sink, const RetryPolicy& retry,
                  uint32_t concurrency = 1);
    // Swaps in the sinks of a reloaded configuration. A sink's call in flight finishes on the old
    // instance; a sink that is no longer configured keeps its worker until its spooled deliveries
    // are done, so nothing accepted is dropped by a reload.
    void reconfigure(const std::vector<DispatchedSink>& sinks);
    // New deliveries were committed.
    void wake();
    // Runs a hook on the sink's worker, with no delivery in progress; `done` is called there.
    void run_hook(const std::string& sink, const std::string& hook, int64_t slot_ms,
                  std::function<void(const SinkCallResult&)> done);
    // Runs `task` on the sink's worker with no delivery in progress, so that no other call is made
    // to the instance meanwhile (one-shot commands sent to the running host; a reload handing a
    // changed sink's state directory over: the task may replace the instance). Called exactly
    // once; with an empty instance when the dispatcher stops first. False: no such sink.
    using WorkerTask = std::function<void(std::shared_ptr<SinkInstance>& instance)>;
    bool run_on_worker(const std::string& sink, WorkerTask task);
    // Whether the sink has a worker still running (configured, or retiring with a call left).
    bool has_worker(const std::string& sink);
    // Each configured sink's last delivery result (sinks retiring after a reload are left out).
    std::vector<SinkHealth> health();
    // The last 50 delivery attempts of all sinks, newest first, with the links their sinks
    // reported (the Redmine tickets): for the status page.
    std::vector<DeliveryRecord> recent_deliveries() const { return recent_.newest_first(); }
    // Workers busy in one round (a spool claim, a sink's call, its record) for longer than
    // `limit`, with how long: what the systemd watchdog withholds its keep-alives for. Waiting
    // for work or for a retry is not busy.
    struct Stall {
        std::string sink;
        std::chrono::milliseconds busy;
    };
    std::vector<Stall> stalled(std::chrono::milliseconds limit);
    // Lets each worker finish its current call, then joins them; gives up after `grace`.
    bool stop(std::chrono::milliseconds grace);

  private:
    struct HookRequest {
        std::string hook;
        int64_t slot_ms;
        std::function<void(const SinkCallResult&)> done;
    };
    // A thread beside the worker's own, delivering heads of other groups (concurrency above 1).
    struct Lane {
        bool stop = false;  // guarded by the worker's `mutex`: the concurrency went down
        std::atomic<int64_t> busy_since_ms{0};
        std::thread thread;
    };
    struct Worker {
        std::string name;
        std::shared_ptr<SinkInstance> sink;  // guarded by `mutex`: swapped by reconfigure
        RetryPolicy retry;
        uint32_t concurrency = 1;  // guarded by `mutex`
        CallGate gate;             // deliveries share the instance, the rest has it alone
        bool retiring = false;     // removed by a reload: stops once its deliveries are done
        std::mutex mutex;
        std::condition_variable cv;
        uint64_t generation = 0;
        bool stopping = false;
        bool stopped = false;
        std::deque<HookRequest> hooks;
        std::deque<WorkerTask> tasks;
        SinkHealth health;                      // guarded by `mutex`
        std::atomic<int64_t> busy_since_ms{0};  // 0: waiting
        std::thread thread;
        std::vector<std::unique_ptr<Lane>> lanes;  // the worker's thread alone starts and ends them
    };
    void work(Worker& worker);
    void lane_work(Worker& worker, Lane& lane);
    // Starts or ends lanes so that the worker delivers `concurrency` at once.
    void match_lanes(Worker& worker, uint32_t concurrency);
    void end_lanes(Worker& worker);
    // One claim and, when one is due, its delivery (the gate shared meanwhile). What the claim
    // found, for the wait after it.
    Claim claim_and_deliver(Worker& worker, const std::shared_ptr<SinkInstance>& sink,
                            const RetryPolicy& retry, bool by_group);
    // Wakes every thread of the worker (a group's head finished: the next may be free).
    void notify_worker(Worker& worker);
    void deliver(Worker& worker, SinkInstance& sink, const RetryPolicy& retry,
                 const SpooledDelivery& delivery);
    // The sink's health, the recent deliveries and the metrics, after one attempt.
    void count_attempt(Worker& worker, const SpooledDelivery& delivery, uint32_t attempt,
                       const SinkCallResult& result);
    // The attempt's outcome in the spool: done, retried later or dead-lettered. Throws when the
    // spool cannot record it.
    void record_outcome(Worker& worker, SinkInstance& sink, const RetryPolicy& retry,
                        const SpooledDelivery& delivery, uint32_t attempt,
                        const SinkCallResult& result);
    // Why a failed attempt is the last (the dead letter's reason); nullopt: it is retried.
    std::optional<std::string> give_up_reason(Worker& worker, SinkInstance& sink,
                                              const RetryPolicy& retry,
                                              const SpooledDelivery& delivery, uint32_t attempt,
                                              const SinkCallResult& result);
    void retry_later(const std::string& sink, const RetryPolicy& retry,
                     const SpooledDelivery& delivery, uint32_t attempt, const std::string& error);
    void run_hooks(Worker& worker, SinkInstance& sink);
    // Moves the delivery to the dead letters, counted and logged.
    void bury(const std::string& sink, const SpooledDelivery& delivery, uint32_t attempts,
              const std::string& reason);
    // Dead-letters, untried, a delivery the process ended in server.max_crashes times.
    void bury_untried(Worker& worker, const SpooledDelivery& delivery);
    // The spool could not record an outcome: logged, and the worker pauses.
    void outcome_not_recorded(Worker& worker, const SpooledDelivery& delivery,
                              const std::exception& error);
    void pause_after_spool_error(Worker& worker);
    void run_tasks(Worker& worker);

    Spool& spool_;
    Metrics& metrics_;
    const DeliveryLimits limits_;
    std::mutex workers_mutex_;
    std::map<std::string, std::unique_ptr<Worker>> workers_;
    RecentDeliveries recent_;
    std::mt19937_64 random_{std::random_device{}()};
    std::mutex random_mutex_;
};

}  // namespace tg::host
