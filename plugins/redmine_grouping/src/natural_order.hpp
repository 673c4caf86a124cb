// Host names as a person reads them: node2 before node10 (runs of digits compare as numbers,
// leading zeros aside), the rest byte by byte.
#pragma once

#include <string>

namespace tg::redmine {

bool natural_less(const std::string& a, const std::string& b);

}  // namespace tg::redmine
