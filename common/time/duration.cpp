#include "time/duration.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace tg::common {

namespace {

struct Unit {
    std::string_view name;
    int64_t ms;
};

// Longest names first where one is a prefix of another ("ms" before "m").
constexpr Unit kUnits[] = {{"y", 365LL * 24 * 3600 * 1000},
                           {"w", 7LL * 24 * 3600 * 1000},
                           {"d", 24LL * 3600 * 1000},
                           {"h", 3600LL * 1000},
                           {"m", 60LL * 1000},
                           {"s", 1000},
                           {"ms", 1}};

[[noreturn]] void bad(std::string_view text, const char* why) {
    throw std::invalid_argument("invalid duration \"" + std::string(text) + "\": " + why);
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text) {
    if (text.empty()) bad(text, "empty");
    if (text == "0") return std::chrono::milliseconds{0};
    int64_t total = 0;
    int last_unit = -1;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] < '0' || text[i] > '9')
            bad(text, "expected a number followed by a unit (ms, s, m, h, d, w, y)");
        int64_t n = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            const int digit = text[i] - '0';
            if (n > (std::numeric_limits<int64_t>::max() - digit) / 10) bad(text, "too large");
            n = n * 10 + digit;
            ++i;
        }
        int unit = -1;
        if (text.substr(i, 2) == "ms") {
            unit = 6;
        } else if (i < text.size()) {
            for (int u = 0; u < 6; ++u) {
                if (text[i] == kUnits[u].name[0]) unit = u;
            }
        }
        if (unit < 0) bad(text, "missing or unknown unit (use ms, s, m, h, d, w, y)");
        if (unit <= last_unit) bad(text, "units must appear once each, largest first (like 1h30m)");
        i += kUnits[unit].name.size();
        last_unit = unit;
        if (n > (std::numeric_limits<int64_t>::max() - total) / kUnits[unit].ms)
            bad(text, "too large");
        total += n * kUnits[unit].ms;
    }
    return std::chrono::milliseconds{total};
}

std::string format_duration(std::chrono::milliseconds d) {
    int64_t ms = d.count();
    if (ms == 0) return "0s";
    std::string out;
    if (ms < 0) {
        out = "-";
        ms = -ms;
    }
    // y and w are ambiguous to read back quickly; days are the largest unit printed.
    for (int u = 2; u < 7; ++u) {
        if (ms >= kUnits[u].ms) {
            out += std::to_string(ms / kUnits[u].ms) + std::string(kUnits[u].name);
            ms %= kUnits[u].ms;
        }
    }
    return out;
}

}  // namespace tg::common
