// Time-zone lookup in the OS tz database.
#pragma once

#include <date/tz.h>

#include <string>

namespace tg::common {

// "" means the machine's zone (date::current_zone(); UTC when the machine has none configured).
// An unknown name throws std::invalid_argument naming it.
const date::time_zone* find_time_zone(const std::string& name);

}  // namespace tg::common
