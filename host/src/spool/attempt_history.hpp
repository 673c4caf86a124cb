// The failed attempts of a delivery, each with its error: kept beside the delivery in the spool
// and carried into its dead letter (`dead-letters show` prints them). Stored as text, one attempt
// a line ("<unix ms>\t<attempt>\t<error>"), the newest last, the last kAttemptsKept only: a
// delivery retried for days must not grow its row without bound.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tg::host {

inline constexpr size_t kAttemptsKept = 20;

struct FailedAttempt {
    int64_t at_ms = 0;
    uint32_t number = 0;  // 1 = the first attempt
    std::string error;    // on one line
};

// `history` with `attempt` appended, the oldest dropped past kAttemptsKept.
std::string append_attempt(const std::string& history, const FailedAttempt& attempt);
// What append_attempt wrote; a line it cannot read is skipped.
std::vector<FailedAttempt> read_attempts(const std::string& history);

}  // namespace tg::host
