#include "dispatch/backoff.hpp"

#include <algorithm>

namespace tg::host {

std::chrono::milliseconds retry_delay(uint32_t failed_attempts, std::chrono::milliseconds initial,
                                      std::chrono::milliseconds cap, double unit_random) {
    double delay = static_cast<double>(std::max<int64_t>(initial.count(), 1));
    for (uint32_t i = 1; i < failed_attempts && delay < static_cast<double>(cap.count()); ++i)
        delay *= 2;
    delay = std::min(delay, static_cast<double>(cap.count()));
    const double jittered = delay / 2 + std::clamp(unit_random, 0.0, 1.0) * delay / 2;
    return std::chrono::milliseconds(static_cast<int64_t>(jittered));
}

}  // namespace tg::host
