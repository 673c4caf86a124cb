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
    void loop();
    void tick(int64_t now);

    Spool& spool_;
    Dispatcher& dispatcher_;
    std::shared_ptr<Entries> entries_ = std::make_shared<Entries>();
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tg::host
