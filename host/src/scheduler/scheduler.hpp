// Runs the hooks that sinks declare, on their cron schedules. The last run of every hook is kept
// in the spool, so a run that fell due while the host was down happens once after start.
#pragma once

#include "config/cron.hpp"
#include "dispatch/dispatcher.hpp"
#include "spool/spool.hpp"

#include <date/tz.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tg::host {

struct ScheduledHook {
    std::string sink;
    std::string hook;
    std::string cron_text;
    CronSchedule cron;
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

private:
    struct Entry {
        ScheduledHook hook;
        int64_t last_slot_ms = 0;
        bool running = false;
    };
    void loop();
    void tick(int64_t now);

    Spool& spool_;
    Dispatcher& dispatcher_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Entry> entries_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tg::host
