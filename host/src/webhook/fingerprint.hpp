// Alertmanager's alert fingerprint, for senders that leave it out.
#pragma once

#include <map>
#include <string>

namespace tg::host {

// FNV-1a 64 over the labels sorted by name, each name and value followed by a 0xFF byte,
// as 16 lowercase hex digits: equal to what Alertmanager (prometheus/common model) computes.
std::string alertmanager_fingerprint(const std::map<std::string, std::string>& labels);

}  // namespace tg::host
