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

void Dispatcher::add_sink(std::shared_ptr<SinkInstance> sink, const RetryPolicy& retry) {
    auto worker = std::make_unique<Worker>();
    worker->name = sink->name();
    worker->sink = std::move(sink);
    worker->retry = retry;
    Worker& ref = *worker;
    {
        std::lock_guard lock(workers_mutex_);
        workers_[ref.name] = std::move(worker);
        ref.thread = std::thread([this, &ref] { work(ref); });
    }
}

void Dispatcher::reconfigure(
    const std::vector<std::pair<std::shared_ptr<SinkInstance>, RetryPolicy>>& sinks) {
    std::vector<std::pair<std::shared_ptr<SinkInstance>, RetryPolicy>> added;
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
        for (const auto& [sink, retry] : sinks) {
            auto it = workers_.find(sink->name());
            if (it == workers_.end() || !it->second) {
                added.emplace_back(sink, retry);
                continue;
            }
            std::unique_lock worker_lock(it->second->mutex);
            if (it->second->stopped) {  // retired just now: start it afresh
                worker_lock.unlock();
                it->second->thread.join();
                workers_.erase(it);
                added.emplace_back(sink, retry);
                continue;
            }
            it->second->sink = sink;
            it->second->retry = retry;
            it->second->retiring = false;
        }
    }
    for (const auto& [sink, retry] : added) add_sink(sink, retry);
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
        worker->cv.notify_one();
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
    it->second->cv.notify_one();
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
    it->second->cv.notify_one();
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
        worker->cv.notify_one();
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
        const int64_t since = worker->busy_since_ms;
        if (since != 0 && now - since > limit.count())
            stalls.push_back({name, std::chrono::milliseconds(now - since)});
    }
    return stalls;
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
        {
            std::lock_guard lock(worker.mutex);
            if (worker.stopping) break;
            seen = worker.generation;
            sink = worker.sink;
            retry = worker.retry;
            retiring = worker.retiring;
        }
        if (!sink) {  // a reload could create neither the new instance nor the old one again
            worker.busy_since_ms = 0;
            std::unique_lock lock(worker.mutex);
            worker.cv.wait_for(lock, idle_poll,
                               [&] { return worker.stopping || !worker.tasks.empty(); });
            continue;
        }
        run_hooks(worker, *sink);
        Claim claim;
        try {
            claim = spool_.claim(name);
        } catch (const std::exception& e) {
            log::error("cannot read the spool", {{"sink", name}, {"error", e.what()}});
            pause_after_spool_error(worker);
            continue;
        }
        const bool pending = claim.delivery || claim.waiting;
        if (!pending && retiring) {
            // Removed by a reload and nothing left to deliver; decided under the lock so that a
            // reload reviving this sink at the same moment is not missed.
            std::lock_guard lock(worker.mutex);
            if (!worker.retiring || !worker.tasks.empty()) continue;
            worker.stopped = true;
            worker.cv.notify_all();
            return;
        }
        if (claim.delivery) {
            if (!claim.taken_over_from.empty())
                log::warn("taking over a delivery from a replica that stopped renewing its lease",
                          {{"sink", name},
                           {"delivery", std::to_string(claim.delivery->id)},
                           {"replica", claim.taken_over_from}});
            deliver(worker, *sink, retry, *claim.delivery);
            continue;
        }
        // Not due yet: until it is. Held by another replica: it may finish any moment, so look
        // again soon. Nothing: until a commit wakes us, or another replica's commit is seen.
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
                   (!pending && worker.generation != seen);
        });
    }
    worker.busy_since_ms = 0;
    {
        std::lock_guard lock(worker.mutex);
        worker.stopped = true;  // run_on_worker takes no more tasks
    }
    run_tasks(worker);  // those left are told by an empty instance that it stops
    worker.cv.notify_all();
}

}  // namespace tg::host
