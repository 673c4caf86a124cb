#include "spool/attempt_history.hpp"

#include <charconv>
#include <sstream>

namespace tg::host {

std::string append_attempt(const std::string& history, const FailedAttempt& attempt) {
    std::string error = attempt.error;
    for (char& c : error)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    std::vector<std::string> lines;
    std::istringstream in(history);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    lines.push_back(std::to_string(attempt.at_ms) + "\t" + std::to_string(attempt.number) + "\t" +
                    error);
    const size_t first = lines.size() > kAttemptsKept ? lines.size() - kAttemptsKept : 0;
    std::string out;
    for (size_t i = first; i < lines.size(); ++i) out += lines[i] + "\n";
    return out;
}

std::vector<FailedAttempt> read_attempts(const std::string& history) {
    std::vector<FailedAttempt> attempts;
    std::istringstream in(history);
    for (std::string line; std::getline(in, line);) {
        const size_t tab1 = line.find('\t');
        const size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
        if (tab2 == std::string::npos) continue;
        FailedAttempt a;
        const auto [p1, e1] = std::from_chars(line.data(), line.data() + tab1, a.at_ms);
        const auto [p2, e2] = std::from_chars(line.data() + tab1 + 1, line.data() + tab2, a.number);
        if (e1 != std::errc() || e2 != std::errc() || p1 != line.data() + tab1 ||
            p2 != line.data() + tab2)
            continue;
        a.error = line.substr(tab2 + 1);
        attempts.push_back(std::move(a));
    }
    return attempts;
}

}  // namespace tg::host
