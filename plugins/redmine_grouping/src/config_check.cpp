#include "config_check.hpp"

#include "issue_json.hpp"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <map>

namespace tg::redmine {

namespace {

// Redmine's permission → its label in the role form, and what the sink cannot do without it.
struct Permission {
    const char* label;
    const char* without;
};
const std::map<std::string, Permission>& permission_texts() {
    static const std::map<std::string, Permission> texts{
        {"view_issues", {"View Issues", "the sink cannot read its tickets back"}},
        {"add_issues", {"Add issues", "no ticket can be created"}},
        {"edit_own_issues",
         {"Edit own issues (or Edit issues)",
          "no status change (close, reopen, 持ち越し) and no reparenting under a Root"}},
        {"add_issue_notes", {"Add notes", "no 再発, 解消 or 持ち越し note"}},
        {"manage_subtasks",
         {"Manage subtasks", "Redmine drops parent_issue_id without an error: no Root tree"}},
        {"add_issue_watchers", {"Add watchers", "Redmine drops the watchers (watchers)"}},
        {"set_issues_private",
         {"Set issues public or private", "Redmine drops is_private (private: true)"}},
    };
    return texts;
}

bool has_id(const Poco::JSON::Array::Ptr& list, int64_t id) {
    for (size_t i = 0; list && i < list->size(); ++i)
        if (list->getObject(static_cast<unsigned>(i))->getValue<Poco::Int64>("id") == id)
            return true;
    return false;
}

}  // namespace

std::vector<std::string> ConfigCheck::required_permissions(const Config& config) {
    std::vector<std::string> out{"view_issues", "add_issues", "edit_own_issues", "add_issue_notes",
                                 "manage_subtasks"};
    if (!config.watchers.empty()) out.push_back("add_issue_watchers");
    if (config.is_private) out.push_back("set_issues_private");
    return out;
}

void ConfigCheck::problem(const std::string& what) {
    host_.error(what);
    ok_ = false;
}

bool ConfigCheck::run() {
    try {
        // /issues.json answers a wrong key as the anonymous user; /users/current.json does not.
        user_ = tracker_.read("/users/current.json?include=memberships")->getObject("user");
    } catch (const std::exception& e) {
        problem(std::string("api_key: Redmine at url refuses it: ") + e.what());
        return false;
    }
    const auto p = project();
    if (p) {
        tracker(p);
        permissions(p);
    }
    for (const auto& why : fields_.unresolved()) problem(why);
    for (const auto& ref : config_.wont_fix_statuses) {
        try {
            const int64_t id = statuses_.resolve(ref, "wont_fix_statuses");
            if (!statuses_.is_closed(id))
                problem("wont_fix_statuses: " + ref.describe() +
                        " is not a closed status: an issue in it is open, and its alerts are "
                        "noted on it as usual");
        } catch (const std::exception& e) {
            problem(e.what());
        }
    }
    if (config_.max_children > 0)
        host_.info("max_children: " + std::to_string(config_.max_children) +
                   " tickets per Root; a further host of the alertname gets no ticket of its "
                   "own, only lines in the Root's batch notes (nothing to assign, watch, carry "
                   "over or close for it)");
    const auto targets = target_statuses();
    if (p) leaf_issue(targets);
    return ok_;
}

Poco::JSON::Object::Ptr ConfigCheck::project() {
    try {
        return tracker_
            .read("/projects/" + url_encoded(config_.project) + ".json?include=trackers")
            ->getObject("project");
    } catch (const std::exception& e) {
        problem("project: '" + config_.project + "' cannot be read: " + e.what());
        return nullptr;
    }
}

void ConfigCheck::tracker(const Poco::JSON::Object::Ptr& project) {
    auto enabled = project->getArray("trackers");
    if (config_.tracker_id != 0 && !has_id(enabled, config_.tracker_id)) {
        problem("tracker_id: tracker " + std::to_string(config_.tracker_id) +
                " does not exist or is not enabled on project '" + config_.project + "'");
        return;
    }
    const int64_t id = config_.tracker_id != 0 ? config_.tracker_id
                       : enabled && enabled->size() > 0
                           ? enabled->getObject(0)->getValue<Poco::Int64>("id")
                           : 0;
    try {  // the tracker's own settings can switch the parent field off
        auto trackers = tracker_.read("/trackers.json")->getArray("trackers");
        for (size_t i = 0; trackers && i < trackers->size(); ++i) {
            auto t = trackers->getObject(static_cast<unsigned>(i));
            auto fields = t->getArray("enabled_standard_fields");
            if (t->getValue<Poco::Int64>("id") != id || !fields) continue;
            bool parent = false;
            for (size_t f = 0; f < fields->size(); ++f)
                parent = parent || fields->getElement<std::string>(static_cast<unsigned>(f)) ==
                                       "parent_issue_id";
            if (!parent)
                problem("tracker_id: tracker #" + std::to_string(id) + " '" +
                        t->optValue<std::string>("name", "") +
                        "' disables the parent field (Trackers → Standard fields): Redmine drops "
                        "parent_issue_id without an error, so no Root tree");
        }
    } catch (const std::exception& e) {
        host_.warn(std::string("tracker_id: the trackers could not be read: ") + e.what());
    }
}

std::set<std::string> ConfigCheck::role_permissions(const Poco::JSON::Array::Ptr& roles,
                                                    std::string& names) {
    std::set<std::string> out;
    for (size_t i = 0; roles && i < roles->size(); ++i) {
        auto role = roles->getObject(static_cast<unsigned>(i));
        names += (names.empty() ? "'" : ", '") + role->optValue<std::string>("name", "") + "'";
        // Any API user may read a role (roles#show): its permissions, not its tracker limits.
        auto shown =
            tracker_.read("/roles/" + std::to_string(role->getValue<Poco::Int64>("id")) + ".json")
                ->getObject("role");
        auto list = shown ? shown->getArray("permissions") : nullptr;
        for (size_t p = 0; list && p < list->size(); ++p)
            out.insert(list->getElement<std::string>(static_cast<unsigned>(p)));
    }
    return out;
}

void ConfigCheck::permissions(const Poco::JSON::Object::Ptr& project) {
    if (user_->optValue<bool>("admin", false)) return;  // an administrator may do everything
    const int64_t project_id = project->getValue<Poco::Int64>("id");
    Poco::JSON::Array::Ptr roles;
    auto memberships = user_->getArray("memberships");
    for (size_t i = 0; memberships && i < memberships->size(); ++i) {
        auto m = memberships->getObject(static_cast<unsigned>(i));
        if (id_in(m, "project") == project_id) roles = m->getArray("roles");
    }
    if (!roles) {
        host_.warn("permissions: the API user is no member of project '" + config_.project +
                   "': its rights come from the Non member role, which cannot be checked here; "
                   "make it a member with the role of docs/operators-guide.md");
        return;
    }
    try {
        std::string names;
        const auto granted = role_permissions(roles, names);
        for (const auto& needed : required_permissions(config_)) {
            const bool has = granted.count(needed) ||
                             (needed == "edit_own_issues" && granted.count("edit_issues"));
            if (has) continue;
            const auto& text = permission_texts().at(needed);
            problem("permissions: the API user's role(s) " + names + " in project '" +
                    config_.project + "' lack " + needed + " (\"" + text.label +
                    "\"): " + text.without);
        }
    } catch (const std::exception& e) {
        host_.warn(std::string("permissions: the API user's roles could not be read: ") + e.what());
    }
}

std::vector<std::pair<int64_t, std::string>> ConfigCheck::target_statuses() {
    std::vector<std::pair<int64_t, std::string>> targets;  // status id, setting
    for (const auto& [ref, key] : {std::pair{&config_.status_done, "status_done"},
                                   std::pair{&config_.status_carryover, "status_carryover"}}) {
        if (ref->empty()) continue;
        try {
            targets.emplace_back(statuses_.resolve(*ref, key), key);
        } catch (const std::exception& e) {
            problem(e.what());
        }
    }
    return targets;
}

void ConfigCheck::leaf_issue(const std::vector<std::pair<int64_t, std::string>>& targets) {
    // A leaf: a parent with open subtasks cannot close, so Redmine hides its closed statuses.
    IssueQuery query;
    query.project = config_.project;
    query.filters = {{"status_id", "open"}, {"subproject_id", "!*"}, {"child_id", "!*"}};
    if (config_.tracker_id != 0)
        query.filters.emplace_back("tracker_id", std::to_string(config_.tracker_id));
    query.limit = 1;
    try {
        auto issues = tracker_.search_issues(query).issues;
        if (issues->size() == 0) {
            host_.warn(
                "status_done/status_carryover/alert_key_field: no open issue in the project yet, "
                "so the workflow and the key field could not be checked; they are read back at "
                "the first alert");
            formats_.ensure();
            host_.info(formats_.describe());
            return;
        }
        const int64_t id = issues->getObject(0)->getValue<Poco::Int64>("id");
        formats_.ensure(id);
        host_.info(formats_.describe());
        auto issue = tracker_.issue(id, IssueDetail::allowed_statuses);
        if (config_.alert_key_field != 0 &&
            !has_id(issue->getArray("custom_fields"), config_.alert_key_field))
            problem("alert_key_field: custom field #" + std::to_string(config_.alert_key_field) +
                    " is not on issue #" + std::to_string(id) +
                    ": it is not enabled for the project and tracker, or not visible to the API "
                    "user's role; Redmine would drop the key without an error");
        auto allowed = issue->getArray("allowed_statuses");
        const int64_t current = id_in(issue, "status");
        for (const auto& [status, key] : targets)
            if (status != current && !has_id(allowed, status))
                problem(key + ": the workflow does not let the API user move an open issue (#" +
                        std::to_string(id) + ") to status " + std::to_string(status) +
                        "; Redmine would silently ignore it");
    } catch (const std::exception& e) {
        problem(std::string("status_done/status_carryover: the workflow could not be checked: ") +
                e.what());
    }
}

}  // namespace tg::redmine
