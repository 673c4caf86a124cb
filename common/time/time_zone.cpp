#include "time/time_zone.hpp"

#include <stdexcept>

namespace tg::common {

const date::time_zone* find_time_zone(const std::string& name) {
    if (name.empty()) {
        try {
            return date::current_zone();
        } catch (const std::exception&) {
            // No /etc/localtime (minimal containers): the C library treats that as UTC too.
            return date::locate_zone("UTC");
        }
    }
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        throw std::invalid_argument("unknown time zone \"" + name +
                                    "\" (use an IANA name like Asia/Tokyo or UTC)");
    }
}

}  // namespace tg::common
