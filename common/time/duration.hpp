// Prometheus/Alertmanager-style durations: "500ms", "30s", "5m", "1h30m", "7d", "2w", "1y", "0".
#pragma once

#include <tickets_grouping/duration.hpp>

#include <chrono>
#include <string>

namespace tg::common {

// The SDK's parser, header-only so that third-party sinks have it too: the host, the in-tree
// sinks and everyone else read a duration alike. Units, each at most once and in this order:
// y (365d), w, d, h, m, s, ms; "0" alone is zero. Throws std::invalid_argument (the message
// quotes the input) on anything else, including overflow.
using tg::parse_duration;

// The inverse, for messages: 5400000ms -> "1h30m", 0 -> "0s".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace tg::common
