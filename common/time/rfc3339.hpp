// RFC 3339 date-times as Alertmanager writes them (Go's time.RFC3339Nano): the host checks them at
// intake with the same reading the sinks parse them with, so a time the host took is one a sink
// can read.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace tg::common {

using NanoTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// YYYY-MM-DD, then T (or t, or a space), hh:mm:ss, an optional fraction (digits past
// nanoseconds are cut), and Z
// (or z) or an offset +hh:mm / -hh:mm. The date and time must exist (a leap second :60 is
// taken); years 1678 to 2261, what nanoseconds since 1970 hold in 64 bits. A year of 0 or 1 is
// Go's zero time (0001-01-01T00:00:00Z, Alertmanager's "no end"): nullopt. Throws
// std::invalid_argument quoting the text (its first 64 bytes) and saying what is wrong.
std::optional<NanoTime> parse_rfc3339(std::string_view text);

}  // namespace tg::common
