#include "subject.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace tg::redmine {

namespace {
bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …
}  // namespace

size_t utf8_length(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s)
        if (!continuation(c)) ++n;
    return n;
}

std::string cut_utf8(std::string_view s, size_t max_chars) {
    size_t chars = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (continuation(static_cast<unsigned char>(s[i]))) continue;
        if (chars == max_chars) return std::string(s.substr(0, i));
        ++chars;
    }
    return std::string(s);
}

std::string short_hash(std::string_view s) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a: stable, so cut subjects stay the same keys
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>((h >> 32) ^ (h & 0xffffffffu)));
    return buf;
}

std::string fit_utf8(std::string_view text, size_t room) {
    if (utf8_length(text) <= room) return std::string(text);
    if (room == 0) return {};
    return cut_utf8(text, room - 1) + std::string(kEllipsis);
}

std::string alert_subject(const std::string& alertname, const std::string& instance) {
    std::string full = std::string(kAlertPrefix) + alertname;
    if (!instance.empty()) full += " (" + instance + ")";
    if (utf8_length(full) <= kMaxSubjectChars) return full;
    // Cut: the hash of the whole key keeps two long alerts apart; the instance keeps its place.
    const std::string tag = " #" + short_hash(alertname + '\x1f' + instance);
    size_t room = kMaxSubjectChars - utf8_length(kAlertPrefix) - utf8_length(tag);
    std::string instance_part;
    if (!instance.empty()) {
        const size_t instance_room = std::min<size_t>(utf8_length(instance), 120);
        instance_part = " (" + fit_utf8(instance, instance_room) + ")";
    }
    const size_t name_room = room - utf8_length(instance_part);
    return std::string(kAlertPrefix) + fit_utf8(alertname, name_room) + instance_part + tag;
}

std::string root_subject(const std::string& alertname, const std::string& rest) {
    std::string full = std::string(kRootPrefix) + alertname;
    if (!rest.empty()) full += " (" + rest + ")";
    if (utf8_length(full) <= kMaxSubjectChars) return full;
    const std::string tag = " #" + short_hash(rest.empty() ? alertname : alertname + '\x1f' + rest);
    size_t room = kMaxSubjectChars - utf8_length(kRootPrefix) - utf8_length(tag);
    std::string rest_part;
    if (!rest.empty())
        rest_part = " (" + fit_utf8(rest, std::min<size_t>(utf8_length(rest), 120)) + ")";
    room -= utf8_length(rest_part);
    return std::string(kRootPrefix) + fit_utf8(alertname, room) + rest_part + tag;
}

bool is_alert_subject(std::string_view s) {
    return s.substr(0, kAlertPrefix.size()) == kAlertPrefix;
}
bool is_root_subject(std::string_view s) { return s.substr(0, kRootPrefix.size()) == kRootPrefix; }

std::string alertname_of_subject(std::string_view s) {
    if (is_root_subject(s))
        s.remove_prefix(kRootPrefix.size());
    else if (is_alert_subject(s))
        s.remove_prefix(kAlertPrefix.size());
    else
        return {};
    // Prometheus alert names have no spaces: the name ends at " (" (instance) or " #" (hash).
    size_t end = s.size();
    for (std::string_view stop : {" (", " #"}) {
        size_t at = s.find(stop);
        if (at != std::string_view::npos) end = std::min(end, at);
    }
    return std::string(s.substr(0, end));
}

}  // namespace tg::redmine
