#include "time/duration.hpp"

#include <cstdint>
#include <string_view>

namespace tg::common {

std::string format_duration(std::chrono::milliseconds d) {
    struct Unit {
        std::string_view name;
        int64_t ms;
    };
    // y and w are ambiguous to read back quickly; days are the largest unit printed.
    static constexpr Unit kUnits[] = {{"d", 24LL * 3600 * 1000},
                                      {"h", 3600LL * 1000},
                                      {"m", 60LL * 1000},
                                      {"s", 1000},
                                      {"ms", 1}};
    int64_t ms = d.count();
    if (ms == 0) return "0s";
    std::string out;
    if (ms < 0) {
        out = "-";
        ms = -ms;
    }
    for (const Unit& u : kUnits) {
        if (ms >= u.ms) {
            out += std::to_string(ms / u.ms) + std::string(u.name);
            ms %= u.ms;
        }
    }
    return out;
}

}  // namespace tg::common
