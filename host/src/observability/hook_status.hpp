// A scheduled hook as the status page shows it: when it runs next and how its last run went.
#pragma once

#include <cstdint>
#include <string>

namespace tg::host {

struct HookStatus {
    std::string sink = {};
    std::string hook = {};
    std::string schedule = {};  // the cron expression
    int64_t next_run_ms = 0;    // 0: the schedule has no next slot
    // This scheduler's last run of it (since the host started or the configuration was
    // reloaded): "" (none yet), "running", "ok", "retry" or "drop", with the error.
    std::string last_result = {};
    std::string last_error = {};
    int64_t last_run_ms = 0;
};

}  // namespace tg::host
