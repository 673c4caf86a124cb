// redmine_test_support.hpp's Admin: the admin's REST client that checks what the sink did.
#include "redmine_test_support.hpp"

#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

namespace rgtest {

Admin::Admin()
    : client_({redmine_env().url, redmine_env().api_key, "", true, std::chrono::seconds(30)}) {}

// Redmine on SQLite answers 500 "database is locked" while another process writes a long
// transaction; the sink retries such answers, and so do the tests' reads.
Poco::JSON::Object::Ptr Admin::get(const std::string& path) {
    for (int attempt = 1;; ++attempt) {
        try {
            return client_.get(path);
        } catch (const tg::RetryLater&) {
            if (attempt == 10) throw;
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

std::string Admin::create_project(const std::string& tag) {
    const std::string ident = unique_ident(tag);
    Poco::JSON::Array::Ptr trackers = new Poco::JSON::Array;
    auto list = get("/trackers.json")->getArray("trackers");
    for (size_t i = 0; i < list->size(); ++i)
        trackers->add(list->getObject(i)->getValue<Poco::Int64>("id"));
    Poco::JSON::Array::Ptr modules = new Poco::JSON::Array;
    modules->add(std::string("issue_tracking"));
    Poco::JSON::Object::Ptr project = new Poco::JSON::Object;
    project->set("name", ident);
    project->set("identifier", ident);
    project->set("is_public", true);
    project->set("tracker_ids", trackers);
    project->set("enabled_module_names", modules);
    Poco::JSON::Object body;
    body.set("project", project);
    client_.post("/projects.json", body, "test project");
    if (sink_is_bot()) add_member(ident, bot("MINIMAL").id, bot("MINIMAL").role_id);
    return ident;
}

std::vector<Poco::JSON::Object::Ptr> Admin::issues(const std::string& project) {
    std::vector<Poco::JSON::Object::Ptr> out;
    for (int offset = 0;; offset += 100) {
        auto answer = get("/issues.json?project_id=" + project +
                          "&status_id=*&sort=id&limit=100&offset=" + std::to_string(offset));
        auto list = answer->getArray("issues");
        for (size_t i = 0; i < list->size(); ++i) out.push_back(list->getObject(i));
        if (list->size() < 100) break;
    }
    return out;
}

Poco::JSON::Object::Ptr Admin::issue(int64_t id) {
    return get("/issues/" + std::to_string(id) + ".json?include=journals,children")
        ->getObject("issue");
}

std::vector<std::string> Admin::notes(int64_t id) {
    std::vector<std::string> out;
    auto journals = issue(id)->getArray("journals");
    for (size_t i = 0; journals && i < journals->size(); ++i) {
        std::string n = journals->getObject(i)->optValue<std::string>("notes", "");
        if (!n.empty()) out.push_back(n);
    }
    return out;
}

size_t Admin::count_notes(int64_t id, const std::string& word) {
    size_t n = 0;
    for (const auto& note : notes(id)) n += note.find(word) != std::string::npos ? 1 : 0;
    return n;
}

int64_t Admin::status(int64_t id) {
    return issue(id)->getObject("status")->getValue<Poco::Int64>("id");
}

int64_t Admin::parent(int64_t id) {
    auto p = issue(id)->getObject("parent");
    return p ? p->getValue<Poco::Int64>("id") : 0;
}

void Admin::set_status(int64_t id, int64_t status) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("status_id", status);
    Poco::JSON::Object body;
    body.set("issue", fields);
    client_.put("/issues/" + std::to_string(id) + ".json", body, "test status");
    REQUIRE(this->status(id) == status);
}

int64_t Admin::create_issue(const std::string& project, const std::string& subject) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("project_id", project);
    fields->set("subject", subject);
    Poco::JSON::Object body;
    body.set("issue", fields);
    return client_.post("/issues.json", body, "test issue")
        ->getObject("issue")
        ->getValue<Poco::Int64>("id");
}

Poco::JSON::Object::Ptr Admin::find(const std::string& project, const std::string& subject) {
    Poco::JSON::Object::Ptr found;
    int n = 0;
    for (auto& i : issues(project))
        if (i->getValue<std::string>("subject") == subject) {
            found = i;
            ++n;
        }
    INFO("subject " << subject);
    REQUIRE(n == 1);
    return found;
}

int64_t Admin::create_category(const std::string& project, const std::string& name) {
    Poco::JSON::Object::Ptr category = new Poco::JSON::Object;
    category->set("name", name);
    Poco::JSON::Object body;
    body.set("issue_category", category);
    return client_.post("/projects/" + project + "/issue_categories.json", body, "test category")
        ->getObject("issue_category")
        ->getValue<Poco::Int64>("id");
}

void Admin::add_member(const std::string& project, int64_t principal_id, int64_t role_id) {
    Poco::JSON::Array::Ptr role_ids = new Poco::JSON::Array;
    if (role_id) {
        role_ids->add(role_id);
    } else {
        auto roles = get("/roles.json")->getArray("roles");
        REQUIRE((roles && roles->size() > 0));
        role_ids->add(roles->getObject(0)->getValue<Poco::Int64>("id"));  // 管理者 / Manager
    }
    Poco::JSON::Object::Ptr membership = new Poco::JSON::Object;
    membership->set("user_id", principal_id);
    membership->set("role_ids", role_ids);
    Poco::JSON::Object body;
    body.set("membership", membership);
    client_.post("/projects/" + project + "/memberships.json", body, "test member");
}

int64_t Admin::create_issue_as_sink(const std::string& project, Poco::JSON::Object::Ptr fields) {
    fields->set("project_id", project);
    Poco::JSON::Object body;
    body.set("issue", fields);
    tg::redmine::RedmineClient as_sink(
        {redmine_env().url, sink_api_key(), "", true, std::chrono::seconds(30)});
    return as_sink.post("/issues.json", body, "the sink's issue")
        ->getObject("issue")
        ->getValue<Poco::Int64>("id");
}

void Admin::set_subject(int64_t id, const std::string& subject) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("subject", subject);
    Poco::JSON::Object body;
    body.set("issue", fields);
    client_.put("/issues/" + std::to_string(id) + ".json", body, "test subject");
}

}  // namespace rgtest
