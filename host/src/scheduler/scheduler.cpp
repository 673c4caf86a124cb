#include "scheduler/scheduler.hpp"

#include "observability/log.hpp"

#include <chrono>

namespace tg::host {
namespace {

using Clock = std::chrono::system_clock;

int64_t to_ms(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
Clock::time_point from_ms(int64_t ms) { return Clock::time_point(std::chrono::milliseconds(ms)); }

}  // namespace

Scheduler::Scheduler(Spool& spool, Dispatcher& dispatcher, std::vector<ScheduledHook> hooks)
    : spool_(spool), dispatcher_(dispatcher) {
    const int64_t now = now_ms();
    for (auto& hook : hooks) {
        Entry entry{std::move(hook)};
        // A hook seen for the first time starts counting from now: it does not run at once.
        auto stored = spool_.hook_last_slot(entry.hook.sink, entry.hook.hook);
        entry.last_slot_ms = stored ? *stored : now;
        if (!stored) spool_.set_hook_last_slot(entry.hook.sink, entry.hook.hook, now);
        entries_.push_back(std::move(entry));
    }
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
    if (entries_.empty()) return;
    thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::vector<std::pair<std::string, int64_t>> Scheduler::next_slots() {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, int64_t>> result;
    for (const auto& entry : entries_)
        result.emplace_back(entry.hook.sink + ":" + entry.hook.hook,
                            to_ms(entry.hook.cron.next_after(from_ms(entry.last_slot_ms), entry.hook.zone)));
    return result;
}

void Scheduler::loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        tick(now_ms());
        lock.lock();
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
}

void Scheduler::tick(int64_t now) {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < entries_.size(); ++i) {
        Entry& entry = entries_[i];
        if (entry.running) continue;
        int64_t slot;
        try {
            slot = to_ms(entry.hook.cron.next_after(from_ms(entry.last_slot_ms), entry.hook.zone));
        } catch (const std::exception& e) {
            continue;  // an impossible schedule was refused at load; nothing to run
        }
        if (slot > now) continue;
        // Slots missed while the host was down collapse into this one run.
        entry.running = true;
        log::info("running scheduled hook", {{"sink", entry.hook.sink}, {"hook", entry.hook.hook},
                                             {"schedule", entry.hook.cron_text}});
        dispatcher_.run_hook(entry.hook.sink, entry.hook.hook, slot, [this, i, now](const SinkCallResult& r) {
            std::lock_guard done_lock(mutex_);
            Entry& e = entries_[i];
            e.running = false;
            if (r.status == TG_OK) {
                e.last_slot_ms = now;
                try {
                    spool_.set_hook_last_slot(e.hook.sink, e.hook.hook, now);
                } catch (const std::exception& ex) {
                    log::error("cannot record a hook run", {{"hook", e.hook.hook}, {"error", ex.what()}});
                }
                log::info("scheduled hook done", {{"sink", e.hook.sink}, {"hook", e.hook.hook}});
            } else {
                // Not recorded: the same slot is tried again at the next tick after a pause.
                e.last_slot_ms = now - 1;  // keeps the slot due without spinning on it
                log::error("scheduled hook failed",
                           {{"sink", e.hook.sink}, {"hook", e.hook.hook}, {"error", r.error}});
            }
        });
    }
}

}  // namespace tg::host
