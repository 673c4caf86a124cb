#include "ticket_fields.hpp"

#include "issue_json.hpp"

#include <Poco/JSON/Array.h>

#include <set>

namespace tg::redmine {

namespace {

std::optional<int64_t> numeric(const std::string& ref) {
    if (ref.empty() || ref.size() > 15 || ref.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const int64_t id = std::stoll(ref);
    return id > 0 ? std::optional<int64_t>(id) : std::nullopt;
}

// Every page of a Redmine list (limit 100), until `each` answers false.
template <typename Each>
void each_item(Tracker& tracker, const std::string& path, const char* list, Each each) {
    const char* join = path.find('?') == std::string::npos ? "?" : "&";
    for (int64_t offset = 0;;) {
        auto answer = tracker.read(path + join + "limit=100&offset=" + std::to_string(offset));
        auto items = answer->getArray(list);
        const size_t n = items ? items->size() : 0;
        for (size_t i = 0; i < n; ++i)
            if (!each(items->getObject(static_cast<unsigned>(i)))) return;
        offset += static_cast<int64_t>(n);
        if (n == 0 || offset >= answer->optValue<Poco::Int64>("total_count", 0)) break;
    }
}

}  // namespace

const TicketFields::Priorities& TicketFields::priorities() {
    if (priorities_) return *priorities_;
    priorities_ = &shared_->priorities.get_or_load([this] {
        Priorities out;
        auto answer = tracker_.read("/enumerations/issue_priorities.json");
        if (auto list = answer->getArray("issue_priorities"))
            for (size_t i = 0; i < list->size(); ++i) {
                auto p = list->getObject(static_cast<unsigned>(i));
                const std::string name = p->optValue<std::string>("name", "");
                out.ids[name] = p->getValue<Poco::Int64>("id");
                out.order.emplace_back(out.ids[name], name);
            }
        return out;
    });
    return *priorities_;
}

const TicketFields::Names& TicketFields::members() {
    if (members_) return *members_;
    members_ = &shared_->members.get_or_load([this] {
        Names names;  // user names and group names of the project
        // An API user who may not list members (403) can still name assignees by id.
        try {
            each_item(tracker_, "/projects/" + url_encoded(config_.project) + "/memberships.json",
                      "memberships", [&](const Poco::JSON::Object::Ptr& m) {
                          for (const char* kind : {"user", "group"})
                              if (auto p = m->getObject(kind))
                                  names[p->optValue<std::string>("name", "")] =
                                      p->getValue<Poco::Int64>("id");
                          return true;
                      });
        } catch (const tg::Drop& e) {
            host_.warn(std::string("assignee/watchers: the project's members cannot be read: ") +
                       e.what());
        }
        return names;
    });
    return *members_;
}

const TicketFields::Names& TicketFields::categories() {
    if (categories_) return *categories_;
    categories_ = &shared_->categories.get_or_load([this] {
        Names names;
        try {
            auto answer = tracker_.read("/projects/" + url_encoded(config_.project) +
                                        "/issue_categories.json");
            if (auto list = answer->getArray("issue_categories"))
                for (size_t i = 0; i < list->size(); ++i) {
                    auto c = list->getObject(static_cast<unsigned>(i));
                    names[c->optValue<std::string>("name", "")] = c->getValue<Poco::Int64>("id");
                }
        } catch (const tg::Drop& e) {
            host_.warn(std::string("category: the project's categories cannot be read: ") +
                       e.what());
        }
        return names;
    });
    return *categories_;
}

std::optional<int64_t> TicketFields::priority(const std::string& ref) {
    if (auto id = numeric(ref)) return id;
    const Names& ids = priorities().ids;
    auto it = ids.find(ref);
    return it == ids.end() ? std::nullopt : std::optional<int64_t>(it->second);
}

std::pair<std::string, std::string> TicketFields::priority_setting(const Alert* alert) const {
    if (alert) {
        const std::string value = alert->label(config_.priority_label);
        if (auto it = config_.priorities.find(value); it != config_.priorities.end())
            return {"priorities", it->second};
    }
    if (config_.priority.empty()) return {"", ""};
    return {"priority", config_.priority};
}

std::optional<int64_t> TicketFields::priority_id(const Alert& alert) {
    const auto [setting, ref] = priority_setting(&alert);
    if (ref.empty()) return std::nullopt;
    return priority(ref);
}

int TicketFields::priority_rank(int64_t id) {
    const auto& order = priorities().order;
    for (size_t i = 0; i < order.size(); ++i)
        if (order[i].first == id) return static_cast<int>(i);
    return -1;
}

std::string TicketFields::priority_name(int64_t id) {
    for (const auto& [known, name] : priorities().order)
        if (known == id) return name;
    return "#" + std::to_string(id);
}

std::optional<int64_t> TicketFields::principal(const std::string& ref) {
    if (auto id = numeric(ref)) return id;
    const Names& names = members();
    if (auto it = names.find(ref); it != names.end()) return it->second;
    // A login: labels name assignees, so the cache is bounded (the oldest forgotten first).
    return shared_->logins.get_or_find(ref, [this, &ref] { return find_login(ref); });
}

// Only an administrator may list users, so a refusal just means "not found".
std::optional<int64_t> TicketFields::find_login(const std::string& login) {
    std::optional<int64_t> found;
    try {
        // Since 5.1 `name=` matches part of the login, the names or the e-mail, 25 at a time:
        // every page, and only the login that is exactly this one.
        each_item(tracker_, "/users.json?status=1&name=" + url_encoded(login), "users",
                  [&](const Poco::JSON::Object::Ptr& u) {
                      if (u->optValue<std::string>("login", "") != login) return true;
                      found = u->getValue<Poco::Int64>("id");
                      return false;
                  });
    } catch (const tg::Drop&) {
    }
    return found;
}

std::optional<int64_t> TicketFields::category(const std::string& ref) {
    if (auto id = numeric(ref)) return id;
    const Names& names = categories();
    auto it = names.find(ref);
    return it == names.end() ? std::nullopt : std::optional<int64_t>(it->second);
}

void TicketFields::add(Poco::JSON::Object& fields, const TextContext& context,
                       const std::string& key, bool root) {
    const Alert* alert = context.alert;
    auto unknown = [&](const std::string& setting, const std::string& ref) {
        host_.warn(setting + ": Redmine has no '" + ref + "'; the ticket is created without it");
        if (!tracker_.dry_run()) host_.count("redmine_ignored_fields_total", "field=" + setting);
    };
    if (!root) {
        const auto [setting, ref] = priority_setting(alert);
        if (!ref.empty()) {
            if (auto id = priority(ref))
                fields.set("priority_id", *id);
            else
                unknown(setting, ref);
        }
    }
    std::string assignee = config_.assignee;
    std::string assignee_setting = "assignee";
    if (alert && !config_.assignee_label.empty() && !alert->label(config_.assignee_label).empty()) {
        assignee = alert->label(config_.assignee_label);
        assignee_setting = "assignee_label";
    }
    if (!assignee.empty()) {
        if (auto id = principal(assignee))
            fields.set("assigned_to_id", *id);
        else
            unknown(assignee_setting, assignee);
    }
    if (!config_.watchers.empty()) {
        Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
        for (const auto& w : config_.watchers) {
            if (auto id = principal(w))
                ids->add(*id);
            else
                unknown("watchers", w);
        }
        if (ids->size()) fields.set("watcher_user_ids", ids);
    }
    if (!config_.category.empty()) {
        if (auto id = category(config_.category))
            fields.set("category_id", *id);
        else
            unknown("category", config_.category);
    }
    Poco::JSON::Array::Ptr custom = new Poco::JSON::Array;
    auto add_custom = [&](int64_t id, const std::string& value) {
        Poco::JSON::Object::Ptr field = new Poco::JSON::Object;
        field->set("id", id);
        field->set("value", value);
        custom->add(field);
    };
    for (const auto& [id, source] : config_.custom_fields)
        add_custom(id, text_.render_plain(source, context));
    if (config_.alert_key_field) add_custom(config_.alert_key_field, key);
    if (custom->size()) fields.set("custom_fields", custom);
    if (config_.is_private) fields.set("is_private", true);
}

void TicketFields::ignored(int64_t issue_id, const std::string& field, const std::string& sent,
                           const std::string& saved) {
    host_.warn("issue #" + std::to_string(issue_id) + ": Redmine ignored " + field + " (sent '" +
               sent + "', saved '" + saved +
               "'): the API user may not set it, or it is not enabled for the project or tracker");
    host_.count("redmine_ignored_fields_total", "field=" + field);
}

void TicketFields::check_saved(const Poco::JSON::Object& sent,
                               const Poco::JSON::Object::Ptr& saved) {
    if (!saved || tracker_.dry_run()) return;
    const int64_t issue_id = saved->getValue<Poco::Int64>("id");
    for (const auto& [field, object] :
         {std::pair{"priority_id", "priority"}, std::pair{"assigned_to_id", "assigned_to"},
          std::pair{"category_id", "category"}}) {
        if (!sent.has(field)) continue;
        const int64_t want = sent.getValue<Poco::Int64>(field);
        const int64_t got = id_in(saved, object);
        if (want != got) ignored(issue_id, field, std::to_string(want), std::to_string(got));
    }
    if (sent.has("is_private") && !saved->optValue<bool>("is_private", false))
        ignored(issue_id, "is_private", "true", "false");
    if (auto custom = sent.getArray("custom_fields")) {
        std::map<int64_t, std::string> got;
        if (auto list = saved->getArray("custom_fields"))
            for (size_t i = 0; i < list->size(); ++i) {
                auto f = list->getObject(static_cast<unsigned>(i));
                auto v = f->get("value");
                got[f->getValue<Poco::Int64>("id")] =
                    v.isEmpty() || !v.isString() ? std::string() : v.convert<std::string>();
            }
        for (size_t i = 0; i < custom->size(); ++i) {
            auto f = custom->getObject(static_cast<unsigned>(i));
            const int64_t id = f->getValue<Poco::Int64>("id");
            if (id == config_.alert_key_field) continue;  // an error, not a warning: the executor
            const std::string want = f->getValue<std::string>("value");
            const auto it = got.find(id);
            const std::string have = it == got.end() ? std::string() : it->second;
            // Redmine strips a text value's surrounding blanks.
            const auto first = want.find_first_not_of(' '), last = want.find_last_not_of(' ');
            const std::string trimmed =
                first == std::string::npos ? "" : want.substr(first, last - first + 1);
            if (have != trimmed)
                ignored(issue_id, "custom_fields." + std::to_string(id), want, have);
        }
    }
    if (auto watchers = sent.getArray("watcher_user_ids")) {
        auto issue = tracker_.issue(issue_id, IssueDetail::watchers);
        std::set<int64_t> got;
        if (auto list = issue ? issue->getArray("watchers") : nullptr)
            for (size_t i = 0; i < list->size(); ++i)
                got.insert(list->getObject(static_cast<unsigned>(i))->getValue<Poco::Int64>("id"));
        for (size_t i = 0; i < watchers->size(); ++i) {
            const int64_t id = watchers->getElement<Poco::Int64>(static_cast<unsigned>(i));
            if (!got.count(id)) ignored(issue_id, "watchers", std::to_string(id), "");
        }
    }
}

std::vector<std::string> TicketFields::unresolved() {
    std::vector<std::string> out;
    auto need = [&](const std::string& setting, const std::string& ref, auto resolve) {
        if (ref.empty()) return;
        try {
            if (!(this->*resolve)(ref)) out.push_back(setting + ": Redmine has no '" + ref + "'");
        } catch (const std::exception& e) {
            out.push_back(setting + ": '" + ref + "' could not be looked up: " + e.what());
        }
    };
    need("priority", config_.priority, &TicketFields::priority);
    for (const auto& [value, ref] : config_.priorities)
        need("priorities." + value, ref, &TicketFields::priority);
    need("assignee", config_.assignee, &TicketFields::principal);
    for (const auto& w : config_.watchers) need("watchers", w, &TicketFields::principal);
    need("category", config_.category, &TicketFields::category);
    return out;
}

}  // namespace tg::redmine
