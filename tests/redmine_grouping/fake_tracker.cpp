#include "fake_tracker.hpp"

#include "issue_json.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <stdexcept>

namespace rgtest {

using tg::redmine::IssueDetail;

namespace {

struct Named {
    int64_t id;
    const char* name;
    bool closed;
};
constexpr Named kStatuses[] = {{1, "New", false},
                               {2, "In Progress", false},
                               {3, "持ち越し", false},
                               {5, "Closed", true},
                               {6, "Rejected", true}};
constexpr Named kPriorities[] = {
    {1, "Low", false}, {2, "Normal", false}, {3, "High", false}, {4, "Urgent", false}};

const Named& status_named(int64_t id) {
    for (const auto& s : kStatuses)
        if (s.id == id) return s;
    throw tg::Drop("fake tracker: HTTP 422: Status is invalid");
}

Poco::JSON::Object::Ptr ref(int64_t id, const std::string& name = "") {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("id", id);
    if (!name.empty()) o->set("name", name);
    return o;
}

// Redmine's parent_issue_id: an id, or "" for none.
int64_t id_value(const Poco::Dynamic::Var& v) {
    if (v.isEmpty() || (v.isString() && v.extract<std::string>().empty())) return 0;
    return v.convert<Poco::Int64>();
}

}  // namespace

int64_t FakeTracker::now() const { return tg::redmine::unix_seconds(clock_.now()); }

void FakeTracker::begin_call(bool write) {
    ++calls_;
    if (write && fail_writes_ > 0) {
        --fail_writes_;
        throw tg::RetryLater("fake tracker: connection refused");
    }
    if (write) ++writes_;
}

void FakeTracker::end_write() {
    if (lose_answers_ > 0) {
        --lose_answers_;
        throw tg::RetryLater("fake tracker: connection reset before the answer");
    }
}

const FakeTracker::Issue& FakeTracker::at(int64_t id) const {
    auto it = issues_.find(id);
    if (it == issues_.end())
        throw std::logic_error("fake tracker: no issue #" + std::to_string(id));
    return it->second;
}

bool FakeTracker::has_open_children(int64_t id) const {
    for (const auto& [_, issue] : issues_)
        if (issue.parent == id && !status_named(issue.status).closed) return true;
    return false;
}

void FakeTracker::assign(Issue& issue, const Poco::JSON::Object& fields) {
    const auto given = [&](const char* name) {
        return fields.has(name) && !ignored_fields_.count(name);
    };
    if (given("subject")) issue.subject = fields.getValue<std::string>("subject");
    if (given("description")) issue.description = fields.getValue<std::string>("description");
    if (given("tracker_id")) issue.tracker = fields.getValue<Poco::Int64>("tracker_id");
    if (given("priority_id")) issue.priority = fields.getValue<Poco::Int64>("priority_id");
    if (given("parent_issue_id")) issue.parent = id_value(fields.get("parent_issue_id"));
    if (given("custom_fields"))
        if (auto list = fields.getArray("custom_fields"))
            for (size_t i = 0; i < list->size(); ++i) {
                auto f = list->getObject(static_cast<unsigned>(i));
                issue.custom_fields[f->getValue<Poco::Int64>("id")] =
                    f->get("value").convert<std::string>();
            }
    if (given("status_id")) {
        const int64_t wanted = fields.getValue<Poco::Int64>("status_id");
        // Redmine offers no closed status to an issue with open subtasks: the change is ignored.
        if (!(status_named(wanted).closed && has_open_children(issue.id))) issue.status = wanted;
    }
    if (issue.subject.empty()) throw tg::Drop("fake tracker: HTTP 422: Subject cannot be blank");
    if (issue.parent != 0) {
        auto parent = issues_.find(issue.parent);
        if (parent == issues_.end() || parent->first == issue.id ||
            (status_named(parent->second.status).closed && !status_named(issue.status).closed))
            throw tg::Drop("fake tracker: HTTP 422: Parent task is invalid");
    }
}

Poco::JSON::Object::Ptr FakeTracker::create_issue(const Poco::JSON::Object& fields,
                                                  const std::string&) {
    if (dry_run_) {
        ++calls_;
        Poco::JSON::Object::Ptr stand_in = new Poco::JSON::Object;
        stand_in->set("id", --dry_ids_);
        return stand_in;
    }
    begin_call(true);
    Issue issue;
    issue.id = next_id_;
    issue.created_on = issue.updated_on = now();
    assign(issue, fields);
    ++next_id_;
    issues_[issue.id] = issue;
    end_write();
    return to_json(issue, IssueDetail::plain);
}

void FakeTracker::update_issue(int64_t id, const Poco::JSON::Object& fields, const std::string&) {
    if (dry_run_) {
        ++calls_;
        return;
    }
    begin_call(true);
    auto it = issues_.find(id);
    if (it == issues_.end()) throw tg::Drop("fake tracker: HTTP 404 Not Found");
    Issue updated = it->second;
    assign(updated, fields);
    Issue::Journal journal;
    journal.created_on = now();
    if (fields.has("notes")) journal.notes = fields.getValue<std::string>("notes");
    if (updated.status != it->second.status)
        journal.details.emplace_back("status_id", it->second.status, updated.status);
    if (updated.priority != it->second.priority)
        journal.details.emplace_back("priority_id", it->second.priority, updated.priority);
    if (updated.parent != it->second.parent)
        journal.details.emplace_back("parent_id", it->second.parent, updated.parent);
    if (!journal.notes.empty() || !journal.details.empty()) {
        updated.updated_on = journal.created_on;
        updated.journals.push_back(journal);
    }
    const bool was_closed = status_named(it->second.status).closed;
    if (status_named(updated.status).closed != was_closed)
        updated.closed_on = was_closed ? 0 : journal.created_on;
    it->second = updated;
    end_write();
}

void FakeTracker::close_by_person(int64_t id, int64_t status) {
    Issue& issue = issues_.at(id);
    Issue::Journal journal{"", now(), {{"status_id", issue.status, status}}};
    issue.status = status;
    issue.closed_on = issue.updated_on = journal.created_on;
    issue.journals.push_back(journal);
}

Poco::JSON::Object::Ptr FakeTracker::to_json(const Issue& issue, IssueDetail detail) const {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("id", issue.id);
    o->set("project", ref(1, "alerts"));
    o->set("tracker", ref(issue.tracker, "Alert"));
    const Named& status = status_named(issue.status);
    auto s = ref(status.id, status.name);
    s->set("is_closed", status.closed);
    o->set("status", s);
    o->set("priority", ref(issue.priority, kPriorities[(issue.priority - 1) & 3].name));
    o->set("subject", issue.subject);
    o->set("description", issue.description);
    if (issue.parent) o->set("parent", ref(issue.parent));
    o->set("created_on", tg::redmine::redmine_time(issue.created_on));
    o->set("updated_on", tg::redmine::redmine_time(issue.updated_on));
    if (issue.closed_on) o->set("closed_on", tg::redmine::redmine_time(issue.closed_on));
    Poco::JSON::Array::Ptr custom = new Poco::JSON::Array;
    for (const auto& [id, value] : issue.custom_fields) {
        auto f = ref(id, "cf" + std::to_string(id));
        f->set("value", value);
        custom->add(f);
    }
    o->set("custom_fields", custom);
    if (detail == IssueDetail::journals) {
        Poco::JSON::Array::Ptr journals = new Poco::JSON::Array;
        int64_t n = 0;
        for (const auto& j : issue.journals) {
            auto jo = ref(++n);
            jo->set("notes", j.notes);
            jo->set("created_on", tg::redmine::redmine_time(j.created_on));
            jo->set("user", ref(1, "sink"));
            Poco::JSON::Array::Ptr details = new Poco::JSON::Array;
            for (const auto& [name, from, to] : j.details) {
                Poco::JSON::Object::Ptr d = new Poco::JSON::Object;
                d->set("property", "attr");
                d->set("name", name);
                d->set("old_value", std::to_string(from));
                d->set("new_value", std::to_string(to));
                details->add(d);
            }
            jo->set("details", details);
            journals->add(jo);
        }
        o->set("journals", journals);
    }
    if (detail == IssueDetail::allowed_statuses) {
        Poco::JSON::Array::Ptr allowed = new Poco::JSON::Array;
        for (const auto& st : kStatuses)
            if (!(st.closed && has_open_children(issue.id))) allowed->add(ref(st.id, st.name));
        o->set("allowed_statuses", allowed);
    }
    if (detail == IssueDetail::watchers)
        o->set("watchers", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
    return o;
}

Poco::JSON::Object::Ptr FakeTracker::find_issue(int64_t id, IssueDetail detail) {
    begin_call(false);
    auto it = issues_.find(id);
    return it == issues_.end() ? nullptr : to_json(it->second, detail);
}

bool FakeTracker::matches(const Issue& issue, const std::string& name,
                          const std::string& value) const {
    const auto literal = [](const std::string& v) {
        return v.rfind('=', 0) == 0 ? v.substr(1) : v;
    };
    if (name == "status_id")
        return value == "*" || (value == "open" && !status_named(issue.status).closed);
    if (name == "subject") return issue.subject == literal(value);
    if (name == "subproject_id") return true;  // one project, no subprojects
    if (name == "child_id") return value == "!*" && !has_open_children(issue.id);
    if (name == "tracker_id") return std::to_string(issue.tracker) == value;
    if (name == "created_on" && value.rfind(">=", 0) == 0) {
        const auto since = tg::redmine::parse_rfc3339(value.substr(2));
        if (!since) throw std::logic_error("fake tracker: created_on " + value);
        return issue.created_on >= tg::redmine::unix_seconds(*since);
    }
    if (name.rfind("cf_", 0) == 0) {
        auto it = issue.custom_fields.find(std::stoll(name.substr(3)));
        const std::string have = it == issue.custom_fields.end() ? "" : it->second;
        return value == "*" ? !have.empty() : have == literal(value);
    }
    throw std::logic_error("fake tracker: no filter " + name + "=" + value);
}

tg::redmine::IssueList FakeTracker::search_issues(const tg::redmine::IssueQuery& query) {
    begin_call(false);
    std::vector<const Issue*> found;
    for (const auto& [_, issue] : issues_) {
        bool all = true;
        for (const auto& [name, value] : query.filters) all = all && matches(issue, name, value);
        if (all) found.push_back(&issue);
    }
    if (query.newest_first) std::reverse(found.begin(), found.end());
    tg::redmine::IssueList list;
    list.issues = new Poco::JSON::Array;
    list.total_count = static_cast<int64_t>(found.size());
    for (int64_t i = query.offset; i < list.total_count && i < query.offset + query.limit; ++i)
        list.issues->add(to_json(*found[static_cast<size_t>(i)], IssueDetail::plain));
    return list;
}

Poco::JSON::Object::Ptr FakeTracker::read(const std::string& path) {
    begin_call(false);
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    if (path == "/issue_statuses.json") {
        for (const auto& s : kStatuses) {
            auto o = ref(s.id, s.name);
            o->set("is_closed", s.closed);
            list->add(o);
        }
        answer->set("issue_statuses", list);
    } else if (path == "/trackers.json") {
        auto t = ref(1, "Alert");
        t->set("default_status", ref(kNew, "New"));
        list->add(t);
        answer->set("trackers", list);
    } else if (path == "/enumerations/issue_priorities.json") {
        for (const auto& p : kPriorities) {
            auto o = ref(p.id, p.name);
            o->set("is_default", p.id == 2);
            list->add(o);
        }
        answer->set("issue_priorities", list);
    } else {
        throw tg::Drop("fake tracker: HTTP 404 Not Found: GET " + path);
    }
    return answer;
}

std::string FakeTracker::read_page(const std::string&) {
    begin_call(false);
    return R"(<html><body data-text-formatting="common_mark"></body></html>)";  // as 6.0+
}

std::vector<int64_t> FakeTracker::with_subject(const std::string& subject) const {
    std::vector<int64_t> ids;
    for (const auto& [id, issue] : issues_)
        if (issue.subject == subject) ids.push_back(id);
    return ids;
}

int64_t FakeTracker::only(const std::string& subject) const {
    const auto ids = with_subject(subject);
    if (ids.size() != 1)
        throw std::logic_error("fake tracker: " + std::to_string(ids.size()) + " issues '" +
                               subject + "'");
    return ids.front();
}

int64_t FakeTracker::parent(int64_t id) const { return at(id).parent; }
int64_t FakeTracker::status(int64_t id) const { return at(id).status; }
bool FakeTracker::closed(int64_t id) const { return status_named(at(id).status).closed; }

std::vector<std::string> FakeTracker::notes(int64_t id) const {
    std::vector<std::string> out;
    for (const auto& j : at(id).journals)
        if (!j.notes.empty()) out.push_back(j.notes);
    return out;
}

}  // namespace rgtest
