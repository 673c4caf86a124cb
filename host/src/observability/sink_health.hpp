// The outcome of a sink's last delivery attempt: kept by the dispatcher, shown by /readyz and
// the status page.
#pragma once

#include <cstdint>
#include <string>

namespace tg::host {

struct SinkHealth {
    std::string sink;
    bool healthy = true;  // no attempt yet, or the last one succeeded or was refused for good
    std::string result;   // "", "ok", "retry" or "drop"
    std::string error;    // why the last attempt failed
    int64_t at_ms = 0;    // when (0: no attempt yet)
    // For the status page, kept across later attempts: the last success, and the last failure
    // with its error (0: none since the host started).
    int64_t last_success_ms = 0;
    int64_t last_error_ms = 0;
    std::string last_error;
};

}  // namespace tg::host
