// Everything the status page shows, read from the running host at one request: the page is
// rendered from this alone, so its rendering is tested without a host.
#pragma once

#include "observability/delivery_record.hpp"
#include "observability/hook_status.hpp"
#include "spool/dead_letter_store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tg::host {

struct SinkStatus {
    std::string name = {};
    std::string plugin = {};
    bool attempted = false;  // a delivery was attempted since the host started
    bool healthy = true;
    std::string error = {};  // of the last attempt, when it failed
    int64_t queue_depth = 0;
    int64_t oldest_pending_ms = 0;  // when the oldest waiting delivery was accepted (0: none)
    int64_t dead_letter_count = 0;
    std::vector<DeadLetter> dead_letters = {};  // the newest (without their payloads)
    int64_t last_success_ms = 0;
    int64_t last_error_ms = 0;
    std::string last_error = {};
};

struct StatusSnapshot {
    std::string version = {};
    int64_t now_ms = 0;
    // "" when no auth is configured (the page is then served to loopback only), else its kind.
    std::string auth = {};  // "", "bearer" or "basic"
    std::vector<SinkStatus> sinks = {};
    std::vector<HookStatus> hooks = {};
    std::vector<DeliveryRecord> deliveries = {};  // newest first
    std::string store_error = {};                 // the queues or dead letters could not be read
};

}  // namespace tg::host
