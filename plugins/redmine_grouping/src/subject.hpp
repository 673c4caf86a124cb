// The subjects this sink writes and recognises: `[Alert] <alertname> (<instance>)` and
// `[Root] [Alert] <alertname>`, within Redmine's 255 characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tg::redmine {

inline constexpr size_t kMaxSubjectChars = 255;  // Redmine counts characters, not bytes
inline constexpr std::string_view kAlertPrefix = "[Alert] ";
inline constexpr std::string_view kRootPrefix = "[Root] [Alert] ";

size_t utf8_length(std::string_view s);
// At most max_chars characters, never splitting a UTF-8 sequence.
std::string cut_utf8(std::string_view s, size_t max_chars);
// At most `room` characters, ending in an ellipsis when something was dropped.
std::string fit_utf8(std::string_view text, size_t room);
std::string short_hash(std::string_view s);  // 8 hex digits, stable across versions

// `[Alert] <alertname> (<instance>)`; over 255 characters it is cut and gets a hash of the key.
std::string alert_subject(const std::string& alertname, const std::string& instance);
// `[Root] [Alert] <alertname>`, or `[Root] [Alert] <alertname> (<rest>)` with more Root labels.
std::string root_subject(const std::string& alertname, const std::string& rest = "");
bool is_alert_subject(std::string_view subject);
bool is_root_subject(std::string_view subject);
// The alertname part of a subject this sink wrote (for rebuilding the state from Redmine).
std::string alertname_of_subject(std::string_view subject);

}  // namespace tg::redmine
