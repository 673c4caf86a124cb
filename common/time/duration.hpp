// Prometheus/Alertmanager-style durations: "500ms", "30s", "5m", "1h30m", "7d", "2w", "1y", "0".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace tg::common {

// Units, each at most once and in this order: y (365d), w, d, h, m, s, ms. "0" alone is zero.
// Throws std::invalid_argument (message quotes the input) on anything else, including overflow.
std::chrono::milliseconds parse_duration(std::string_view text);

// The inverse, for messages: 5400000ms -> "1h30m", 0 -> "0s".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace tg::common
