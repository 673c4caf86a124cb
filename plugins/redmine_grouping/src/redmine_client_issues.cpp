// RedmineClient as the sink's Tracker: each operation one REST call of Redmine's issue API.
#include "redmine_client.hpp"

#include <tickets_grouping/sink.hpp>

namespace tg::redmine {

namespace {

std::string issue_path(int64_t id) { return "/issues/" + std::to_string(id) + ".json"; }

Poco::JSON::Object wrapped(const Poco::JSON::Object& fields) {  // {"issue": fields}
    Poco::JSON::Object body;
    body.set("issue", fields);
    return body;
}

const char* include_of(IssueDetail detail) {
    switch (detail) {
        case IssueDetail::journals:
            return "?include=journals";
        case IssueDetail::allowed_statuses:
            return "?include=allowed_statuses";
        case IssueDetail::watchers:
            return "?include=watchers";
        case IssueDetail::plain:
            break;
    }
    return "";
}

}  // namespace

Poco::JSON::Object::Ptr RedmineClient::find_issue(int64_t id, IssueDetail detail) {
    const std::string path = issue_path(id) + include_of(detail);
    auto answer = get_if_exists(path);
    if (!answer) return nullptr;
    auto issue = answer->getObject("issue");
    // A body without the issue is not an answer about it (a proxy's, a half-sent one).
    if (!issue) throw tg::RetryLater("Redmine GET " + path + " answered no issue");
    return issue;
}

Poco::JSON::Object::Ptr RedmineClient::create_issue(const Poco::JSON::Object& fields,
                                                    const std::string& summary) {
    auto answer = post("/issues.json", wrapped(fields), summary);
    auto issue = answer->getObject("issue");
    if (!issue || !issue->has("id"))
        throw tg::RetryLater("Redmine POST /issues.json answered without an issue id");
    return issue;
}

void RedmineClient::update_issue(int64_t id, const Poco::JSON::Object& fields,
                                 const std::string& summary) {
    put(issue_path(id), wrapped(fields), summary);
}

IssueList RedmineClient::search_issues(const IssueQuery& query) {
    std::string path = "/issues.json?project_id=" + encode(query.project);
    for (const auto& [name, value] : query.filters) path += "&" + name + "=" + encode(value);
    path += query.newest_first ? "&sort=id:desc" : "&sort=id";
    path += "&limit=" + std::to_string(query.limit) + "&offset=" + std::to_string(query.offset);
    auto answer = get(path);
    IssueList list;
    list.issues = answer->getArray("issues");
    if (!list.issues) list.issues = new Poco::JSON::Array;
    list.total_count = answer->optValue<Poco::Int64>("total_count", 0);
    return list;
}

}  // namespace tg::redmine
