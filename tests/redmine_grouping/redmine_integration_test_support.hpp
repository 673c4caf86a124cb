// Shared by redmine_integration*_test.cpp: the HighCPU fixtures' sequence, request counts and
// their difference as text, and the wave of issues the sequence makes.
#pragma once

#include "redmine_test_support.hpp"

#include <map>
#include <string>
#include <vector>

namespace rgtest::integration {

inline const std::string kA = "a_firing_single_alert_HighCPU_server01.json";
inline const std::string kB = "b_firing_group_3_alerts_HighCPU_server01-03.json";
inline const std::string kC = "c_firing_group_4th_alert_joins_HighCPU_server01-04.json";
inline const std::string kD = "d_mixed_one_resolved_three_firing_HighCPU.json";
inline const std::string kE = "e_repeat_after_repeat_interval_HighCPU_unchanged.json";
inline const std::string kD2 = "d2_all_resolved_HighCPU.json";

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

inline tg::redmine::RequestCounts diff(const tg::redmine::RequestCounts& after,
                                       const tg::redmine::RequestCounts& before) {
    return {after.get - before.get, after.post - before.post, after.put - before.put};
}

inline std::string show(const tg::redmine::RequestCounts& c) {
    return "GET " + std::to_string(c.get) + ", POST " + std::to_string(c.post) + ", PUT " +
           std::to_string(c.put);
}

inline int count_containing(const std::vector<std::string>& notes, const std::string& part) {
    int n = 0;
    for (const auto& s : notes)
        if (s.find(part) != std::string::npos) ++n;
    return n;
}

// The HighCPU wave's issues in a project: the four hosts and the Root (exactly one of each).
struct Wave {
    int64_t root = 0;
    std::map<std::string, int64_t> hosts;
};

inline Wave wave_of(Admin& admin, const std::string& project) {
    Wave w;
    w.root = id_of(admin.find(project, "[Root] [Alert] HighCPU"));
    for (const char* h : {"server01", "server02", "server03", "server04"})
        w.hosts[h] = id_of(admin.find(project, std::string("[Alert] HighCPU (") + h + ")"));
    return w;
}

}  // namespace rgtest::integration
