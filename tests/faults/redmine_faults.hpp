// The redmine_grouping sink behind a routing file of the fault tests' own: short retry backoff,
// a Redmine URL that may be a proxy, a fresh project per test.
#pragma once

#include "fault_support.hpp"
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

namespace tg::faults {

inline std::string redmine_routes(const std::string& url, const std::string& project) {
    const auto& vars = rgtest::redmine_env().vars;
    return "sinks:\n"
           "  redmine:\n"
           "    plugin: redmine_grouping\n"
           "    config:\n"
           "      url: " +
           url +
           "\n"
           "      api_key: " +
           vars.at("REDMINE_API_KEY") +
           "\n"
           "      project: " +
           project +
           "\n"
           "      tracker_id: " +
           vars.at("REDMINE_TRACKER_ID") +
           "\n"
           "      status_done: " +
           vars.at("REDMINE_STATUS_DONE") +
           "\n"
           "      status_carryover: " +
           vars.at("REDMINE_STATUS_CARRYOVER") +
           "\n"
           "      time_zone: Asia/Tokyo\n"
           "      timeout: 10s\n"
           "    retry:\n"
           "      initial_backoff: 200ms\n"
           "      max_backoff: 5s\n"
           "    hooks:\n"
           "      carry_over:\n"
           "        enabled: false\n"
           "route:\n"
           "  sink: redmine\n";
}

inline int redmine_port() {
    const std::string& url = rgtest::redmine_env().url;
    return std::stoi(url.substr(url.rfind(':') + 1));
}

// Waits until the host has nothing left to deliver.
inline bool settled(int port, std::chrono::seconds timeout) {
    return test::eventually([&] { return metric(port, "tickets_grouping_spool_depth") == 0; },
                            timeout);
}

}  // namespace tg::faults
