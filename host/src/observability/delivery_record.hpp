// One delivery attempt as the status page lists it: which sink, what came of it, and what the
// sink said it touched in its target (the Redmine tickets, as links).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tg::host {

struct DeliveryLink {
    std::string url = {};    // http(s) only (the sink instance refuses other schemes)
    std::string label = {};  // e.g. "#123 [Alert] HighCPU (server01)"
};

struct DeliveryRecord {
    int64_t delivery_id = 0;
    std::string sink = {};
    std::string route = {};
    uint32_t attempt = 0;
    std::string result = {};  // "ok", "retry", "drop"
    std::string error = {};   // why it failed ("" on ok)
    int64_t at_ms = 0;
    std::vector<DeliveryLink> links = {};
};

}  // namespace tg::host
