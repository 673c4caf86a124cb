#include "rebuild.hpp"

#include "alert.hpp"
#include "executor.hpp"
#include "text.hpp"

#include <Poco/JSON/Array.h>

#include <map>

namespace tg::redmine {

std::vector<ListedIssue> list_open_sink_issues(RedmineClient& client, const std::string& project) {
    std::vector<ListedIssue> out;
    for (int64_t offset = 0;;) {
        auto answer = client.get(
            "/issues.json?project_id=" + RedmineClient::encode(project) +
            "&subproject_id=!*&status_id=open&sort=id&limit=100&offset=" + std::to_string(offset));
        auto list = answer->getArray("issues");
        const size_t n = list ? list->size() : 0;
        for (size_t i = 0; i < n; ++i) {
            auto issue = list->getObject(static_cast<unsigned>(i));
            ListedIssue li;
            li.subject = issue->optValue<std::string>("subject", "");
            if (!is_alert_subject(li.subject) && !is_root_subject(li.subject)) continue;
            li.id = issue->getValue<Poco::Int64>("id");
            if (auto s = issue->getObject("status")) {
                li.status_id = s->getValue<Poco::Int64>("id");
                if (s->has("is_closed")) li.closed = s->getValue<bool>("is_closed");
            }
            if (auto p = issue->getObject("parent")) li.parent_id = p->getValue<Poco::Int64>("id");
            try {
                if (auto t = parse_rfc3339(issue->optValue<std::string>("updated_on", "")))
                    li.updated_at = unix_seconds(*t);
            } catch (const std::exception&) {
            }
            out.push_back(std::move(li));
        }
        offset += static_cast<int64_t>(n);
        const int64_t total = answer->optValue<Poco::Int64>("total_count", 0);
        if (n == 0 || offset >= total) break;
    }
    return out;
}

void rebuild_state(RedmineClient& client, StateStore& store, const std::string& project,
                   const tg::HostServices& host, int64_t now_unix) {
    const auto issues = list_open_sink_issues(client, project);
    store.clear();
    std::map<std::string, int64_t> roots;  // the newest open Root per alertname wins
    size_t hosts = 0;
    for (const auto& i : issues) {
        const std::string alertname = alertname_of_subject(i.subject);
        if (is_root_subject(i.subject)) {
            roots[alertname] = std::max(roots[alertname], i.id);
        } else {
            // synced_at: an alert that started before Redmine last saw the issue is not news.
            store.put_issue(i.subject, alertname, {i.id, true, i.parent_id, 0, i.updated_at});
            ++hosts;
        }
    }
    for (const auto& [alertname, id] : roots) store.put_root(alertname, {id, true});
    store.mark_rebuilt(now_unix);
    host.info("state rebuilt from Redmine: " + std::to_string(hosts) + " open alert issue(s), " +
              std::to_string(roots.size()) + " open Root(s)");
}

}  // namespace tg::redmine
