#include "dispatch/dispatcher.hpp"

#include "dispatch/backoff.hpp"
#include "observability/log.hpp"

#include <algorithm>

namespace tg::host {
namespace {

constexpr auto idle_poll = std::chrono::seconds(1);

}  // namespace

Dispatcher::Dispatcher(Spool& spool, Metrics& metrics, DeliveryLimits limits)
    : spool_(spool), metrics_(metrics), limits_(limits) {}

Dispatcher::~Dispatcher() { stop(std::chrono::seconds(5)); }

uint32_t dispatched_concurrency(const SinkInstance& sink, uint32_t configured) {
    return sink.group_labels().empty() ? 1 : std::max<uint32_t>(configured, 1);
}

void Dispatcher::add_sink(std::shared_ptr<SinkInstance> sink, const RetryPolicy& retry,
                          uint32_t concurrency) {
    auto worker = std::make_unique<Worker>();
    worker->name = sink->name();
    worker->sink = std::move(sink);
    worker->retry = retry;
    worker->concurrency = std::max<uint32_t>(concurrency, 1);
    Worker& ref = *worker;
    {
        std::lock_guard lock(workers_mutex_);
        workers_[ref.name] = std::move(worker);
        ref.thread = std::thread([this, &ref] { work(ref); });
    }
}

void Dispatcher::reconfigure(const std::vector<DispatchedSink>& sinks) {
    std::vector<DispatchedSink> added;
    {
        std::lock_guard lock(workers_mutex_);
        for (auto& [name, worker] : workers_) {
            if (!worker) continue;
            std::lock_guard worker_lock(worker->mutex);
            worker->retiring = true;
        }
        // Workers that retired earlier have ended: reap them first.
        for (auto it = workers_.begin(); it != workers_.end();) {
            bool ended = false;
            if (it->second) {
                std::lock_guard worker_lock(it->second->mutex);
                ended = it->second->stopped;
            }
            if (ended) {
                it->second->thread.join();
                it = workers_.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& next : sinks) {
            auto it = workers_.find(next.sink->name());
            if (it == workers_.end() || !it->second) {
                added.push_back(next);
                continue;
            }
            std::unique_lock worker_lock(it->second->mutex);
            if (it->second->stopped) {  // retired just now: start it afresh
                worker_lock.unlock();
                it->second->thread.join();
                workers_.erase(it);
                added.push_back(next);
                continue;
            }
            it->second->sink = next.sink;
            it->second->retry = next.retry;
            it->second->concurrency = std::max<uint32_t>(next.concurrency, 1);
            it->second->retiring = false;
        }
    }
    for (const auto& next : added) add_sink(next.sink, next.retry, next.concurrency);
    wake();
}

void Dispatcher::wake() {
    std::lock_guard lock(workers_mutex_);
    for (auto& [name, worker] : workers_) {
        if (!worker) continue;
        {
            std::lock_guard worker_lock(worker->mutex);
            ++worker->generation;
        }
        worker->cv.notify_all();
    }
}

void Dispatcher::run_hook(const std::string& sink, const std::string& hook, int64_t slot_ms,
                          std::function<void(const SinkCallResult&)> done) {
    std::lock_guard lock(workers_mutex_);
    auto it = workers_.find(sink);
    if (it == workers_.end() || !it->second) {
        done({TG_DROP, "no sink named '" + sink + "'"});
        return;
    }
    {
        std::lock_guard worker_lock(it->second->mutex);
        it->second->hooks.push_back({hook, slot_ms, std::move(done)});
    }
    it->second->cv.notify_all();
}

bool Dispatcher::run_on_worker(const std::string& sink, WorkerTask task) {
    std::lock_guard lock(workers_mutex_);
    auto it = workers_.find(sink);
    if (it == workers_.end() || !it->second) return false;
    {
        std::lock_guard worker_lock(it->second->mutex);
        if (it->second->stopped) return false;
        it->second->tasks.push_back(std::move(task));
    }
    it->second->cv.notify_all();
    return true;
}

bool Dispatcher::has_worker(const std::string& sink) {
    std::lock_guard lock(workers_mutex_);
    auto it = workers_.find(sink);
    if (it == workers_.end() || !it->second) return false;
    std::lock_guard worker_lock(it->second->mutex);
    return !it->second->stopped;
}

void Dispatcher::run_tasks(Worker& worker) {
    {
        std::lock_guard lock(worker.mutex);
        if (worker.tasks.empty()) return;
    }
    CallGate::Alone alone(worker.gate);  // a task may replace the instance: no delivery meanwhile
    for (;;) {
        WorkerTask task;
        std::shared_ptr<SinkInstance> instance;
        {
            std::lock_guard lock(worker.mutex);
            if (worker.tasks.empty()) return;
            task = std::move(worker.tasks.front());
            worker.tasks.pop_front();
            // Moved out: a task that replaces the instance destroys the old one first.
            if (!worker.stopping) instance = std::move(worker.sink);
        }
        try {
            task(instance);
        } catch (const std::exception& e) {
            log::error("a task on the sink's worker failed",
                       {{"sink", worker.name}, {"error", e.what()}});
        }
        std::lock_guard lock(worker.mutex);
        if (!worker.sink) worker.sink = std::move(instance);  // unless a reload set one meanwhile
    }
}

std::vector<SinkHealth> Dispatcher::health() {
    std::vector<SinkHealth> result;
    std::lock_guard lock(workers_mutex_);
    for (auto& [name, worker] : workers_) {
        if (!worker) continue;
        std::lock_guard worker_lock(worker->mutex);
        if (worker->retiring || worker->stopped) continue;
        result.push_back(worker->health);
        result.back().sink = name;
    }
    return result;
}

bool Dispatcher::stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(workers_mutex_);
    for (auto& [name, worker] : workers_) {
        if (!worker) continue;
        {
            std::lock_guard worker_lock(worker->mutex);
            worker->stopping = true;
        }
        worker->cv.notify_all();
    }
    const auto deadline = std::chrono::steady_clock::now() + grace;
    bool all_stopped = true;
    for (auto& [name, worker] : workers_) {
        if (!worker || !worker->thread.joinable()) continue;
        std::unique_lock worker_lock(worker->mutex);
        if (!worker->cv.wait_until(worker_lock, deadline, [&] { return worker->stopped; })) {
            // A sink stuck in a call: leave its thread behind; the spool keeps its delivery.
            log::warn("sink did not finish its call in time", {{"sink", name}});
            worker->thread.detach();
            (void)worker.release();  // the thread may still use it: leak it rather than free it
            all_stopped = false;
            continue;
        }
        worker_lock.unlock();
        worker->thread.join();
    }
    return all_stopped;
}

std::vector<Dispatcher::Stall> Dispatcher::stalled(std::chrono::milliseconds limit) {
    std::vector<Stall> stalls;
    const int64_t now = now_ms();
    std::lock_guard lock(workers_mutex_);
    for (const auto& [name, worker] : workers_) {
        int64_t since = worker->busy_since_ms;
        // The lanes are started and ended by the worker's thread alone, under workers_mutex_'s
        // watch only for their busy marks: read them under the worker's lock.
        std::lock_guard worker_lock(worker->mutex);
        for (const auto& lane : worker->lanes) {
            const int64_t lane_since = lane->busy_since_ms;
            if (lane_since != 0 && (since == 0 || lane_since < since)) since = lane_since;
        }
        if (since != 0 && now - since > limit.count())
            stalls.push_back({name, std::chrono::milliseconds(now - since)});
    }
    return stalls;
}

void Dispatcher::notify_worker(Worker& worker) {
    {
        std::lock_guard lock(worker.mutex);
        ++worker.generation;
    }
    worker.cv.notify_all();
}

void Dispatcher::match_lanes(Worker& worker, uint32_t concurrency) {
    const size_t wanted = concurrency > 1 ? concurrency - 1 : 0;
    while (worker.lanes.size() < wanted) {
        auto lane = std::make_unique<Lane>();
        Lane& ref = *lane;
        {
            std::lock_guard lock(worker.mutex);
            worker.lanes.push_back(std::move(lane));
        }
        ref.thread = std::thread([this, &worker, &ref] { lane_work(worker, ref); });
    }
    while (worker.lanes.size() > wanted) {
        Lane& last = *worker.lanes.back();
        {
            std::lock_guard lock(worker.mutex);
            last.stop = true;
        }
        worker.cv.notify_all();
        last.thread.join();  // after its delivery in progress
        std::lock_guard lock(worker.mutex);
        worker.lanes.pop_back();
    }
}

void Dispatcher::end_lanes(Worker& worker) { match_lanes(worker, 1); }

Claim Dispatcher::claim_and_deliver(Worker& worker, const std::shared_ptr<SinkInstance>& sink,
                                    const RetryPolicy& retry, bool by_group) {
    CallGate::Shared share(worker.gate);
    Claim claim = by_group ? spool_.claim_group_head(worker.name) : spool_.claim(worker.name);
    if (!claim.delivery) return claim;
    if (!claim.taken_over_from.empty())
        log::warn("taking over a delivery from a replica that stopped renewing its lease",
                  {{"sink", worker.name},
                   {"delivery", std::to_string(claim.delivery->id)},
                   {"replica", claim.taken_over_from}});
    deliver(worker, *sink, retry, *claim.delivery);
    // The group's next delivery is its head now: another lane may take it.
    if (by_group) notify_worker(worker);
    return claim;
}

void Dispatcher::lane_work(Worker& worker, Lane& lane) {
    uint64_t seen = 0;
    for (;;) {
        std::shared_ptr<SinkInstance> sink;
        RetryPolicy retry;
        {
            std::lock_guard lock(worker.mutex);
            // A retiring sink's worker ends its lanes itself (match_lanes) before its own end.
            if (worker.stopping || lane.stop) return;
            seen = worker.generation;
            sink = worker.sink;
            retry = worker.retry;
        }
        Claim claim;
        if (sink) {
            lane.busy_since_ms = now_ms();
            try {
                claim = claim_and_deliver(worker, sink, retry, true);
            } catch (const std::exception& e) {
                log::error("cannot read the spool", {{"sink", worker.name}, {"error", e.what()}});
            }
            lane.busy_since_ms = 0;
            if (claim.delivery) continue;
        }
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(idle_poll);
        if (claim.waiting)
            wait = std::min(wait, std::chrono::milliseconds(
                                      std::max<int64_t>(claim.retry_at_ms - now_ms(), 0)));
        std::unique_lock lock(worker.mutex);
        worker.cv.wait_for(
            lock, wait, [&] { return worker.stopping || lane.stop || worker.generation != seen; });
    }
}

void Dispatcher::work(Worker& worker) {
    const std::string& name = worker.name;
    uint64_t seen = 0;
    for (;;) {
        worker.busy_since_ms = now_ms();
        run_tasks(worker);
        std::shared_ptr<SinkInstance> sink;  // held for this round: a reload may swap it meanwhile
        RetryPolicy retry;
        bool retiring;
        uint32_t concurrency;
        {
            std::lock_guard lock(worker.mutex);
            if (worker.stopping) break;
            seen = worker.generation;
            sink = worker.sink;
            retry = worker.retry;
            retiring = worker.retiring;
            concurrency = worker.concurrency;
        }
        if (!sink) {  // a reload could create neither the new instance nor the old one again
            worker.busy_since_ms = 0;
            std::unique_lock lock(worker.mutex);
            worker.cv.wait_for(lock, idle_poll,
                               [&] { return worker.stopping || !worker.tasks.empty(); });
            continue;
        }
        const bool by_group = concurrency > 1;
        match_lanes(worker, retiring ? 1 : concurrency);
        run_hooks(worker, *sink);
        Claim claim;
        try {
            claim = claim_and_deliver(worker, sink, retry, by_group);
        } catch (const std::exception& e) {
            log::error("cannot read the spool", {{"sink", name}, {"error", e.what()}});
            pause_after_spool_error(worker);
            continue;
        }
        if (claim.delivery) continue;
        const bool pending = claim.waiting;
        if (!pending && retiring) {
            // Removed by a reload and nothing left to deliver; decided under the lock so that a
            // reload reviving this sink at the same moment is not missed.
            std::lock_guard lock(worker.mutex);
            if (!worker.retiring || !worker.tasks.empty()) continue;
            worker.stopped = true;
            worker.cv.notify_all();
            return;
        }
        // Not due yet: until it is. Held by another replica: it may finish any moment, so look
        // again soon. Nothing: until a commit wakes us, or another replica's commit is seen. With
        // groups, a commit or a lane's finished delivery may free a head at any time.
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(idle_poll);
        if (claim.waiting) {
            wait = std::chrono::milliseconds(std::max<int64_t>(claim.retry_at_ms - now_ms(), 0));
            if (claim.held_elsewhere)
                wait = std::min(wait,
                                std::chrono::duration_cast<std::chrono::milliseconds>(idle_poll));
        }
        worker.busy_since_ms = 0;
        std::unique_lock lock(worker.mutex);
        worker.cv.wait_for(lock, wait, [&] {
            return worker.stopping || !worker.hooks.empty() || !worker.tasks.empty() ||
                   worker.concurrency != concurrency ||
                   ((!pending || by_group) && worker.generation != seen);
        });
    }
    worker.busy_since_ms = 0;
    end_lanes(worker);
    {
        std::lock_guard lock(worker.mutex);
        worker.stopped = true;  // run_on_worker takes no more tasks
    }
    run_tasks(worker);  // those left are told by an empty instance that it stops
    worker.cv.notify_all();
}

}  // namespace tg::host
