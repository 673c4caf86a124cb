// Runs the hooks that sinks declare, on their cron schedules. The last run of every hook is kept
// in the spool, so a run that fell due while the host was down happens once after start.
#pragma once

#include "dispatch/dispatcher.hpp"
#include "observability/hook_status.hpp"
#include "spool/spool.hpp"
#include "time/cron.hpp"

#include <date/tz.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tg::host {

struct ScheduledHook {
    std::string sink;
    std::string hook;
    std::string cron_text;
    common::CronSchedule cron;
    const date::time_zone* zone;
};

class Scheduler {
  public:
    Scheduler(Spool& spool, Dispatcher& dispatcher, std::vector<ScheduledHook> hooks);
    ~Scheduler();
    void start();
    void stop();

    // For tests and metrics: the next slot of every hook.
    std::vector<std::pair<std::string, int64_t>> next_slots();
    // Every hook's schedule, next run and last result: for the status page.
    std::vector<HookStatus> status();

  private:
    struct Entry {
        ScheduledHook hook;
        int64_t last_slot_ms = 0;
        bool running = false;
        int64_t not_before_ms = 0;     // after a failed run: wait a little before the next try
        std::string last_result = {};  // of this scheduler's last run: "", "ok", "retry", "drop"
        std::string last_error = {};
        int64_t last_run_ms = 0;
    };
    // Shared with the completion callbacks of hook runs, which may outlive this scheduler (a
    // reload replaces it while a hook runs): they hold it weakly and do nothing once it is gone.
    struct Entries {
        std::mutex mutex;
        std::vector<Entry> list;
    };
    // A hook whose slot is due: its entry, and the slot before and the one due.
    struct Due {
        size_t index;
        std::string sink, hook;
        int64_t last_slot, slot;
    };
    void loop();
    // Runs the hooks due at `now` that the store lets this replica run.
    void tick(int64_t now);
    // The hooks due at `now` that neither run nor pause after a failure.
    std::vector<Due> due_hooks(int64_t now);
    // Those of `candidates` this replica claimed in the store, marked running.
    std::vector<Due> claim_runs(const std::vector<Due>& candidates, int64_t now);
    // A run's result, in the store and in its entry (while this scheduler is there).
    static void settle_run(Spool& spool, const std::weak_ptr<Entries>& entries, const Due& run,
                           int64_t now, const SinkCallResult& result);

    Spool& spool_;
    Dispatcher& dispatcher_;
    std::shared_ptr<Entries> entries_ = std::make_shared<Entries>();
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tg::host
