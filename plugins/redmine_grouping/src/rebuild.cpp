#include "rebuild.hpp"

#include "alert.hpp"
#include "alert_key.hpp"
#include "executor.hpp"
#include "text.hpp"

#include <Poco/JSON/Array.h>

#include <map>

namespace tg::redmine {

std::vector<ListedIssue> list_open_sink_issues(Tracker& tracker, const Config& config) {
    std::vector<ListedIssue> out;
    IssueQuery query;
    query.project = config.project;
    query.filters = {{"subproject_id", "!*"}, {"status_id", "open"}};
    // With the key field, only issues that have a key (`cf_N=*` means "any value").
    if (config.alert_key_field)
        query.filters.emplace_back("cf_" + std::to_string(config.alert_key_field), "*");
    query.newest_first = false;
    tracker.each_issue(query, [&](const Poco::JSON::Object::Ptr& issue) {
        ListedIssue li;
        li.subject = issue->optValue<std::string>("subject", "");
        li.key = config.alert_key_field ? custom_value(issue, config.alert_key_field) : "";
        if (li.key.empty()) li.key = li.subject;
        if (!is_alert_subject(li.key) && !is_root_subject(li.key)) return true;
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
        return true;
    });
    return out;
}

void rebuild_state(Tracker& tracker, StateStore& store, const Config& config,
                   const tg::HostServices& host, int64_t now_unix) {
    const auto issues = list_open_sink_issues(tracker, config);
    store.clear();
    std::map<std::string, int64_t> roots;        // the newest open Root per group wins
    std::map<int64_t, std::string> root_groups;  // every open Root's group, by issue id
    for (const auto& i : issues)
        if (is_root_subject(i.key)) {
            const std::string group = group_of_root_subject(i.key);
            roots[group] = std::max(roots[group], i.id);
            root_groups[i.id] = group;
        }
    size_t hosts = 0;
    for (const auto& i : issues) {
        if (is_root_subject(i.key)) continue;
        // A child knows its group from its Root; a lone ticket from its key, when it shows.
        std::optional<std::string> group;
        if (auto it = root_groups.find(i.parent_id); it != root_groups.end()) group = it->second;
        if (!group) group = group_of_ticket_subject(i.key, config.key_labels);
        if (!group) {
            host.warn("rebuild: the group of #" + std::to_string(i.id) + " '" + i.key +
                      "' cannot be told from its key; it joins no Root until it fires again");
            group = "";
        }
        // synced_at: an alert that started before Redmine last saw the issue is not news.
        store.put_issue(i.key, *group, {i.id, true, i.parent_id, 0, i.updated_at});
        ++hosts;
    }
    for (const auto& [group, id] : roots) store.put_root(group, {id, true});
    store.mark_rebuilt(now_unix);
    host.info("state rebuilt from Redmine: " + std::to_string(hosts) + " open alert issue(s), " +
              std::to_string(roots.size()) + " open Root(s)");
}

}  // namespace tg::redmine
