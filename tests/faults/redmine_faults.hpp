// The redmine_grouping sink behind a routing file of the fault tests' own: short retry backoff,
// a Redmine URL that may be a proxy, a fresh project per test.
#pragma once

#include "fault_support.hpp"
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

namespace tg::faults {

// concurrency: the sink's deliveries of different Roots at once (0: the default, 4).
inline std::string redmine_routes(const std::string& url, const std::string& project,
                                  int concurrency = 0) {
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
           "      timeout: 10s\n" +
           (concurrency ? "    concurrency: " + std::to_string(concurrency) + "\n" : "") +
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

// Issues whose notes are not exactly `resolved_notes(subject)` 解消 notes and nothing else.
struct NoteCheck {
    size_t wrong = 0;
    std::string first_wrong;  // for the failure message
};
inline NoteCheck check_resolved_notes(
    rgtest::Admin& admin, const std::vector<Poco::JSON::Object::Ptr>& issues,
    const std::function<size_t(const std::string& subject)>& resolved_notes) {
    NoteCheck check;
    for (const auto& issue : issues) {
        const auto subject = issue->getValue<std::string>("subject");
        size_t resolved = 0, other = 0;
        for (const auto& n : admin.notes(issue->getValue<int64_t>("id")))
            (n.find("解消") != std::string::npos ? resolved : other) += 1;
        if (other == 0 && resolved == resolved_notes(subject)) continue;
        if (check.wrong++ == 0)
            check.first_wrong = subject + ": " + std::to_string(resolved) + " 解消, " +
                                std::to_string(other) + " other notes";
    }
    return check;
}

}  // namespace tg::faults
