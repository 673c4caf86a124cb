// Shared by the planner tests (planner_*test.cpp): one alert, HighCPU on server01, in the states
// the planner sees it in, and the actions it may plan.
#pragma once

#include "planner.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace tg::redmine::planner_test {

inline const Episode kFiring{"fp1", "1000", true};
inline const Episode kFiringLater{"fp1", "2000", true};
inline const Episode kResolved{"fp1", "1000", false};

inline AlertFacts firing(std::optional<IssueState> issue = std::nullopt,
                         std::optional<Episode> last = std::nullopt) {
    AlertFacts f;
    f.key = "[Alert] HighCPU (server01)";
    f.episode = kFiring;
    f.starts_at_unix = 1000;
    f.issue = issue;
    f.last = last;
    return f;
}

inline AlertFacts resolved(std::optional<IssueState> issue, std::optional<Episode> last = kFiring) {
    AlertFacts f = firing(issue, last);
    f.episode = kResolved;
    return f;
}

inline IssueState open_issue(int64_t id, int64_t parent = 0) { return {id, true, parent, 0, 500}; }
inline IssueState closed_issue(int64_t id, int64_t closed_at, int64_t parent = 0) {
    return {id, false, parent, closed_at, 500};
}

inline PlanOptions options(bool close = false, int64_t window_s = 0, int64_t now = 10'000) {
    return {close, std::chrono::seconds(window_s), now};
}

inline Action act(ActionKind k, IssueRef issue, IssueRef parent = 0,
                  std::string key = "[Alert] HighCPU (server01)", bool close = false) {
    return {k, issue, parent, std::move(key), close};
}

}  // namespace tg::redmine::planner_test
