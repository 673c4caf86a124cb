// When to try a failed delivery again.
#pragma once

#include <chrono>
#include <cstdint>

namespace tg::host {

// Capped exponential backoff with jitter: attempt 1 waits about `initial`, each further attempt
// doubles it up to `cap`; the wait is drawn from [delay/2, delay] so that sinks that failed
// together do not retry together.
std::chrono::milliseconds retry_delay(uint32_t failed_attempts, std::chrono::milliseconds initial,
                                      std::chrono::milliseconds cap, double unit_random);

}  // namespace tg::host
