#include "created_lookup.hpp"

#include "issue_json.hpp"

#include <Poco/JSON/Array.h>

namespace tg::redmine {

std::optional<std::string> literal_filter(const std::string& value, bool text_type) {
    if (value.empty() || value.find('|') != std::string::npos) return std::nullopt;
    // `string` fields know "=": with it spelt out, nothing after it is an operator.
    if (!text_type) return "=" + value;
    // `text` fields (subject) have no "=": a value is literal unless it starts with one of
    // their operators (5.0: ~ !~ ^ $ !* *; 5.1+: also *~).
    for (const char* op : {"~", "*", "!~", "!*", "^", "$"})
        if (value.rfind(op, 0) == 0) return std::nullopt;
    return value;
}

namespace {
constexpr int64_t kClockSkew = 300;
}  // namespace

std::optional<FoundIssue> find_created_issue(Tracker& tracker, const Config& config,
                                             const std::string& key, const std::string& subject,
                                             int64_t since_unix) {
    // The alert key field survives a person editing the subject. status_id=* includes closed
    // issues.
    const bool by_field = config.alert_key_field != 0;
    const std::string& value = by_field ? key : subject;
    IssueQuery query;
    query.project = config.project;
    if (auto literal = literal_filter(value, !by_field))
        query.filters.emplace_back(
            by_field ? "cf_" + std::to_string(config.alert_key_field) : "subject", *literal);
    else
        query.filters.emplace_back("created_on", ">=" + redmine_time(since_unix - kClockSkew));
    query.filters.emplace_back("status_id", "*");
    std::optional<FoundIssue> found;
    tracker.each_issue(query, [&](const Poco::JSON::Object::Ptr& issue) {
        const bool match = by_field ? custom_value(issue, config.alert_key_field) == key
                                    : issue->optValue<std::string>("subject", "") == subject;
        // Older issues with the same key belong to earlier episodes.
        if (match && time_of(issue, "created_on") + kClockSkew >= since_unix)
            found = FoundIssue{issue->getValue<Poco::Int64>("id"), parent_of(issue)};
        return !found;
    });
    return found;
}

}  // namespace tg::redmine
