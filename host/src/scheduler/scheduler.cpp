#include "scheduler/scheduler.hpp"

#include "observability/log.hpp"

#include <algorithm>
#include <chrono>

namespace tg::host {
namespace {

using Clock = std::chrono::system_clock;
constexpr int64_t failed_hook_pause_ms = 60 * 1000;

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
        entry.last_slot_ms = spool_.init_hook(entry.hook.sink, entry.hook.hook, now);
        entries_->list.push_back(std::move(entry));
    }
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
    if (entries_->list.empty()) return;
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
    std::lock_guard lock(entries_->mutex);
    std::vector<std::pair<std::string, int64_t>> result;
    for (const auto& entry : entries_->list)
        result.emplace_back(
            entry.hook.sink + ":" + entry.hook.hook,
            to_ms(entry.hook.cron.next_after(from_ms(entry.last_slot_ms), entry.hook.zone)));
    return result;
}

std::vector<HookStatus> Scheduler::status() {
    std::lock_guard lock(entries_->mutex);
    std::vector<HookStatus> result;
    for (const auto& entry : entries_->list) {
        HookStatus s{entry.hook.sink, entry.hook.hook, entry.hook.cron_text};
        try {
            s.next_run_ms =
                to_ms(entry.hook.cron.next_after(from_ms(entry.last_slot_ms), entry.hook.zone));
        } catch (const std::exception&) {  // no next slot: shown as none
        }
        s.last_result = entry.running ? "running" : entry.last_result;
        s.last_error = entry.last_error;
        s.last_run_ms = entry.last_run_ms;
        result.push_back(std::move(s));
    }
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

std::vector<Scheduler::Due> Scheduler::due_hooks(int64_t now) {
    std::vector<Due> candidates;
    std::lock_guard lock(entries_->mutex);
    for (size_t i = 0; i < entries_->list.size(); ++i) {
        Entry& entry = entries_->list[i];
        if (entry.running || now < entry.not_before_ms) continue;
        int64_t slot;
        try {
            slot = to_ms(entry.hook.cron.next_after(from_ms(entry.last_slot_ms), entry.hook.zone));
        } catch (const std::exception&) {
            continue;  // an impossible schedule was refused at load; nothing to run
        }
        if (slot > now) continue;
        candidates.push_back({i, entry.hook.sink, entry.hook.hook, entry.last_slot_ms, slot});
    }
    return candidates;
}

// Every replica sees the slot due; the store lets one of them run it. Claimed without the
// lock held: only this thread starts runs, so a candidate cannot start meanwhile.
std::vector<Scheduler::Due> Scheduler::claim_runs(const std::vector<Due>& candidates, int64_t now) {
    std::vector<Due> due;
    for (const auto& candidate : candidates) {
        HookClaim claim;
        try {
            claim = spool_.claim_hook_run(candidate.sink, candidate.hook, candidate.last_slot);
        } catch (const std::exception& e) {
            log::error("cannot claim a scheduled hook run",
                       {{"sink", candidate.sink}, {"hook", candidate.hook}, {"error", e.what()}});
            continue;
        }
        std::lock_guard lock(entries_->mutex);
        Entry& entry = entries_->list[candidate.index];
        if (!claim.claimed) {
            // Another replica ran it (the stored slot moved on) or runs it now: follow the store.
            entry.last_slot_ms = claim.last_slot_ms;
            if (claim.busy_until_ms > now)
                entry.not_before_ms = std::min(claim.busy_until_ms, now + 1000);
            continue;
        }
        // Slots missed while the host was down collapse into this one run.
        entry.running = true;
        due.push_back(candidate);
        log::info("running scheduled hook", {{"sink", entry.hook.sink},
                                             {"hook", entry.hook.hook},
                                             {"schedule", entry.hook.cron_text}});
    }
    return due;
}

void Scheduler::settle_run(Spool& spool, const std::weak_ptr<Entries>& weak, const Due& run,
                           int64_t now, const SinkCallResult& r) {
    // Recorded in the store even when this scheduler was replaced by a reload
    // meanwhile: the claim is this replica's to settle.
    try {
        if (r.status == TG_OK)
            spool.finish_hook_run(run.sink, run.hook, now);
        else
            spool.fail_hook_run(run.sink, run.hook, now_ms() + failed_hook_pause_ms);
    } catch (const std::exception& ex) {
        log::error("cannot record a hook run", {{"hook", run.hook}, {"error", ex.what()}});
    }
    auto entries = weak.lock();
    if (!entries) return;  // replaced by a reload; the new scheduler owns the schedule
    std::lock_guard done_lock(entries->mutex);
    Entry& e = entries->list[run.index];
    e.running = false;
    e.last_run_ms = now_ms();
    e.last_result = r.status == TG_OK ? "ok" : r.status == TG_RETRY_LATER ? "retry" : "drop";
    e.last_error = r.error.substr(0, 2000);
    if (r.status == TG_OK) {
        e.last_slot_ms = now;
        log::info("scheduled hook done", {{"sink", e.hook.sink}, {"hook", e.hook.hook}});
    } else {
        // Not recorded: the slot stays due and is tried again after a pause.
        e.not_before_ms = now_ms() + failed_hook_pause_ms;
        log::error("scheduled hook failed",
                   {{"sink", e.hook.sink}, {"hook", e.hook.hook}, {"error", r.error}});
    }
}

void Scheduler::tick(int64_t now) {
    const std::vector<Due> due = claim_runs(due_hooks(now), now);
    // Handed over without the lock held: the completion may run on this thread.
    for (const auto& run : due) {
        std::weak_ptr<Entries> weak = entries_;
        Spool& spool = spool_;
        dispatcher_.run_hook(run.sink, run.hook, run.slot,
                             [weak, &spool, now, run](const SinkCallResult& r) {
                                 settle_run(spool, weak, run, now, r);
                             });
    }
}

}  // namespace tg::host
