#include "tracker.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/URI.h>

namespace tg::redmine {

std::string url_encoded(std::string_view value) {
    std::string out;
    Poco::URI::encode(std::string(value), "!#$&'()*+,/:;=?@[]|~ \"<>%{}^`\\", out);
    return out;
}

Poco::JSON::Object::Ptr Tracker::issue(int64_t id, IssueDetail detail) {
    auto found = find_issue(id, detail);
    if (!found) throw tg::Drop("Redmine has no issue #" + std::to_string(id) + " (404)");
    return found;
}

void Tracker::each_issue(IssueQuery query,
                         const std::function<bool(const Poco::JSON::Object::Ptr&)>& each) {
    for (;;) {
        const IssueList page = search_issues(query);
        const size_t n = page.issues->size();
        for (size_t i = 0; i < n; ++i)
            if (!each(page.issues->getObject(static_cast<unsigned>(i)))) return;
        query.offset += static_cast<int64_t>(n);
        if (n == 0 || query.offset >= page.total_count) return;
    }
}

}  // namespace tg::redmine
