#include "alert_key.hpp"

#include "text.hpp"

#include <algorithm>

namespace tg::redmine {

namespace {

constexpr char kGroupSeparator = '\x1f';

std::vector<std::string> values_of(const Alert& alert, const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(alert.label(n));
    return out;
}

// The first value names the alert; the others, without the empty ones, go in parentheses.
std::string rest_of(const std::vector<std::string>& values) {
    std::string rest;
    for (size_t i = 1; i < values.size(); ++i) {
        if (values[i].empty()) continue;
        if (!rest.empty()) rest += ", ";
        rest += values[i];
    }
    return rest;
}

std::string first_of(const std::vector<std::string>& values) {
    return values.empty() ? std::string() : values.front();
}

// "<name> (<a>, <b>)" after the prefix → {name, a, b}; the hash of a cut subject is dropped.
std::vector<std::string> split_subject(std::string_view s) {
    std::vector<std::string> out;
    if (const size_t hash = s.rfind(" #");
        hash != std::string_view::npos && s.size() - hash == 10)  // " #" + 8 hex digits
        s = s.substr(0, hash);
    const size_t open = s.find(" (");
    out.emplace_back(s.substr(0, open));
    if (open == std::string_view::npos || s.empty() || s.back() != ')') return out;
    std::string_view inside = s.substr(open + 2, s.size() - open - 3);
    for (size_t at = 0;;) {
        const size_t comma = inside.find(", ", at);
        out.emplace_back(inside.substr(at, comma - at));
        if (comma == std::string_view::npos) break;
        at = comma + 2;
    }
    return out;
}

}  // namespace

std::string ticket_key(const Alert& alert, const KeyLabels& labels) {
    const auto values = values_of(alert, labels.ticket);
    return alert_subject(first_of(values), rest_of(values));
}

std::string host_of(const Alert& alert, const KeyLabels& labels) {
    std::string host;
    for (const auto& name : labels.ticket) {
        if (std::find(labels.root.begin(), labels.root.end(), name) != labels.root.end()) continue;
        const std::string value = alert.label(name);
        if (!value.empty()) host += (host.empty() ? "" : ", ") + value;
    }
    return host.empty() ? ticket_key(alert, labels) : host;
}

std::string root_key(const Alert& alert, const KeyLabels& labels) {
    const auto values = values_of(alert, labels.root);
    return root_subject(first_of(values), rest_of(values));
}

std::string group_of(const Alert& alert, const KeyLabels& labels) {
    // As in the Root's subject, empty values are left out: a rebuild reads the group back from it.
    const auto values = values_of(alert, labels.root);
    std::string out = first_of(values);
    for (size_t i = 1; i < values.size(); ++i)
        if (!values[i].empty()) out += kGroupSeparator + values[i];
    return out;
}

std::optional<std::string> group_of_ticket_subject(std::string_view subject,
                                                   const KeyLabels& labels) {
    if (!is_alert_subject(subject)) return std::nullopt;
    if (labels.root.size() == 1 && !labels.ticket.empty() && labels.root[0] == labels.ticket[0])
        return alertname_of_subject(subject);  // the common case, robust to commas in values
    subject.remove_prefix(kAlertPrefix.size());
    const auto parts = split_subject(subject);
    // Empty values were left out of the subject: only a key whose values all show can be mapped.
    if (parts.size() != labels.ticket.size()) return std::nullopt;
    std::string out;
    for (size_t i = 0; i < labels.root.size(); ++i) {
        const auto it = std::find(labels.ticket.begin(), labels.ticket.end(), labels.root[i]);
        if (it == labels.ticket.end()) return std::nullopt;
        if (i) out += kGroupSeparator;
        out += parts[static_cast<size_t>(it - labels.ticket.begin())];
    }
    return out;
}

std::string root_key_of_group(std::string_view group) {
    std::vector<std::string> values;
    for (size_t at = 0;;) {
        const size_t sep = group.find(kGroupSeparator, at);
        values.emplace_back(group.substr(at, sep - at));
        if (sep == std::string_view::npos) break;
        at = sep + 1;
    }
    return root_subject(first_of(values), rest_of(values));
}

std::string group_lock_name(const std::string& root_key) { return "group\n" + root_key; }

std::string group_of_root_subject(std::string_view subject) {
    if (!is_root_subject(subject)) return {};
    subject.remove_prefix(kRootPrefix.size());
    const auto parts = split_subject(subject);
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += kGroupSeparator;
        out += parts[i];
    }
    return out;
}

}  // namespace tg::redmine
