#include "created_lookup.hpp"

#include "issue_json.hpp"

#include <Poco/JSON/Array.h>

#include <ctime>

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
std::string utc_time(int64_t unix) {
    const std::time_t t = static_cast<std::time_t>(unix);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
constexpr int64_t kClockSkew = 300;
}  // namespace

std::optional<FoundIssue> find_created_issue(RedmineClient& client, const Config& config,
                                             const std::string& key, const std::string& subject,
                                             int64_t since_unix) {
    // The alert key field survives a person editing the subject. status_id=* includes closed
    // issues.
    const bool by_field = config.alert_key_field != 0;
    const std::string& value = by_field ? key : subject;
    std::string filter;
    if (auto literal = literal_filter(value, !by_field))
        filter = (by_field ? "&cf_" + std::to_string(config.alert_key_field) : "&subject") + "=" +
                 RedmineClient::encode(*literal);
    else
        filter = "&created_on=" + RedmineClient::encode(">=" + utc_time(since_unix - kClockSkew));
    const std::string query = "/issues.json?project_id=" + RedmineClient::encode(config.project) +
                              filter + "&status_id=*&sort=id:desc&limit=100&offset=";
    for (int64_t offset = 0;;) {
        auto answer = client.get(query + std::to_string(offset));
        auto list = answer->getArray("issues");
        const size_t n = list ? list->size() : 0;
        for (size_t i = 0; i < n; ++i) {
            auto issue = list->getObject(static_cast<unsigned>(i));
            const bool match = by_field ? custom_value(issue, config.alert_key_field) == key
                                        : issue->optValue<std::string>("subject", "") == subject;
            // Older issues with the same key belong to earlier episodes.
            if (match && time_of(issue, "created_on") + kClockSkew >= since_unix)
                return FoundIssue{issue->getValue<Poco::Int64>("id"), parent_of(issue)};
        }
        offset += static_cast<int64_t>(n);
        if (n == 0 || offset >= answer->optValue<Poco::Int64>("total_count", 0)) break;
    }
    return std::nullopt;
}

}  // namespace tg::redmine
