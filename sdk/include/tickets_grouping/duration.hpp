// Durations written the way the routing file writes them: "500ms", "30s", "5m", "1h30m", "7d",
// "2w", "1y", and "0". Header-only: the SDK depends on no host code. It is also the parser of the
// host and of the in-tree sinks (common/time/duration.hpp): one reading for every duration.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tg {

// Units, each at most once and largest first: y (365 days), w, d, h, m, s, ms; "0" alone is zero.
// Throws std::invalid_argument, quoting the text, on anything else (including overflow).
inline std::chrono::milliseconds parse_duration(std::string_view text) {
    struct Unit {
        std::string_view name;
        int64_t ms;
    };
    static constexpr Unit units[] = {{"y", 365LL * 24 * 3600 * 1000},
                                     {"w", 7LL * 24 * 3600 * 1000},
                                     {"d", 24LL * 3600 * 1000},
                                     {"h", 3600LL * 1000},
                                     {"m", 60LL * 1000},
                                     {"s", 1000},
                                     {"ms", 1}};
    auto bad = [&](const char* why) {
        return std::invalid_argument("invalid duration \"" + std::string(text) + "\": " + why);
    };
    constexpr int64_t max = std::numeric_limits<int64_t>::max();
    if (text.empty()) throw bad("empty");
    if (text == "0") return std::chrono::milliseconds{0};
    int64_t total = 0;
    int last_unit = -1;
    for (size_t i = 0; i < text.size();) {
        if (text[i] < '0' || text[i] > '9')
            throw bad("expected a number followed by a unit (ms, s, m, h, d, w, y)");
        int64_t n = 0;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            if (n > (max - (text[i] - '0')) / 10) throw bad("too large");
            n = n * 10 + (text[i] - '0');
        }
        int unit = -1;  // "ms" is tried before "m" and "s"
        for (int u = 6; u >= 0 && unit < 0; --u)
            if (text.substr(i, units[u].name.size()) == units[u].name) unit = u;
        if (unit < 0) throw bad("missing or unknown unit (use ms, s, m, h, d, w, y)");
        if (unit <= last_unit) throw bad("units must appear once each, largest first (like 1h30m)");
        if (n > (max - total) / units[unit].ms) throw bad("too large");
        total += n * units[unit].ms;
        i += units[unit].name.size();
        last_unit = unit;
    }
    return std::chrono::milliseconds{total};
}

}  // namespace tg
