// Redmine 6 answers (issue 12): the sink against a stand-in Redmine that answers every request
// with the JSON and pages Redmine 6.0 and 6.1 render (tests/fixtures/redmine/<version>/: journals
// with updated_on/updated_by, statuses with description, users with status, Propshaft assets,
// <body data-text-formatting>). The same client and parsing code as against the real 5.0; the
// issues the stand-in keeps change as the sink writes them, so every read-back is exercised.
#include "fake_redmine.hpp"
#include "redmine_sink.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <sstream>

using namespace tg::redmine;

namespace {

struct Lines {
    std::mutex mutex;
    std::vector<std::string> all;
    bool has(const std::string& part) {
        std::lock_guard lock(mutex);
        for (const auto& l : all)
            if (l.find(part) != std::string::npos) return true;
        return false;
    }
    std::string text() {
        std::lock_guard lock(mutex);
        std::string out;
        for (const auto& l : all) out += l + "\n";
        return out;
    }
};

void log_line(void* ctx, tg_log_level level, tg_str message) {
    auto* lines = static_cast<Lines*>(ctx);
    std::lock_guard lock(lines->mutex);
    lines->all.push_back(std::to_string(static_cast<int>(level)) + " " +
                         std::string(tg::view(message)));
}

struct ScratchDir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("rg-redmine6-" + std::to_string(::getpid()));
    ScratchDir() { std::filesystem::create_directories(path); }
    ~ScratchDir() { std::filesystem::remove_all(path); }
};

Poco::JSON::Object::Ptr parse(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string json(const Poco::JSON::Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

// The issues the stand-in keeps: shown as 6.x shows them, changed by the sink's writes.
class Issues {
  public:
    explicit Issues(const std::string& dir) : dir_(dir) {
        shown_[101] = parse(rgtest::read_text(dir + "/issue.json"))->getObject("issue");
    }

    std::optional<rgtest::FakeAnswer> answer(const rgtest::FakeRequest& r) {
        std::lock_guard lock(mutex_);
        const std::string path = r.uri.substr(0, r.uri.find('?'));
        if (r.method == "POST" && path == "/issues.json") return create(r.body);
        if (path.rfind("/issues/", 0) != 0 || path.size() < 6 ||
            path.compare(path.size() - 5, 5, ".json") != 0)
            return std::nullopt;
        const int64_t id = std::stoll(path.substr(8));
        auto it = shown_.find(id);
        if (it == shown_.end()) return rgtest::FakeAnswer{404, ""};
        if (r.method == "PUT") return update(it->second, r.body);
        Poco::JSON::Object::Ptr wrapped = new Poco::JSON::Object;
        wrapped->set("issue", it->second);
        return rgtest::FakeAnswer{200, json(wrapped)};
    }
    int lose_next_answer = 0;  // the write is made, the answer is a 502 (a proxy lost it)
    Poco::JSON::Object::Ptr issue(int64_t id) {
        std::lock_guard lock(mutex_);
        return shown_.at(id);
    }

  private:
    rgtest::FakeAnswer create(const std::string& body) {
        auto sent = parse(body)->getObject("issue");
        auto made = parse(rgtest::read_text(dir_ + "/issue_created.json"))->getObject("issue");
        const int64_t id = next_id_++;
        made->set("id", id);
        made->set("subject", sent->getValue<std::string>("subject"));
        made->set("description", sent->optValue<std::string>("description", ""));
        made->remove("parent");
        if (sent->has("parent_issue_id")) {
            Poco::JSON::Object::Ptr parent = new Poco::JSON::Object;
            parent->set("id", sent->getValue<Poco::Int64>("parent_issue_id"));
            made->set("parent", parent);
        }
        if (auto fields = sent->getArray("custom_fields")) {
            Poco::JSON::Array::Ptr kept = new Poco::JSON::Array;
            for (size_t i = 0; i < fields->size(); ++i) {
                Poco::JSON::Object::Ptr f = new Poco::JSON::Object(*fields->getObject(i));
                f->set("name", "tg_alert_key");
                kept->add(f);
            }
            made->set("custom_fields", kept);
        }
        Poco::JSON::Array::Ptr watchers = new Poco::JSON::Array;
        if (auto ids = sent->getArray("watcher_user_ids"))
            for (size_t i = 0; i < ids->size(); ++i) {
                Poco::JSON::Object::Ptr w = new Poco::JSON::Object;
                w->set("id", ids->getElement<Poco::Int64>(static_cast<unsigned>(i)));
                w->set("name", "インフラ当番");
                watchers->add(w);
            }
        made->set("watchers", watchers);
        made->set("journals", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        shown_[id] = made;
        Poco::JSON::Object::Ptr wrapped = new Poco::JSON::Object;
        wrapped->set("issue", made);
        return {201, json(wrapped)};
    }

    rgtest::FakeAnswer update(Poco::JSON::Object::Ptr issue, const std::string& body) {
        auto sent = parse(body)->getObject("issue");
        if (sent->has("parent_issue_id")) {
            const std::string p = sent->get("parent_issue_id").convert<std::string>();
            issue->remove("parent");
            if (!p.empty()) {
                Poco::JSON::Object::Ptr parent = new Poco::JSON::Object;
                parent->set("id", std::stoll(p));
                issue->set("parent", parent);
            }
        }
        if (sent->has("status_id")) {
            Poco::JSON::Object::Ptr status = new Poco::JSON::Object;
            const int64_t id = sent->getValue<Poco::Int64>("status_id");
            status->set("id", id);
            status->set("name", id == 7 ? "持ち越し" : id == 5 ? "終了" : "新規");
            status->set("is_closed", id == 5);
            issue->set("status", status);
        }
        if (sent->has("notes")) {  // a journal as 6.x shows it
            auto journals = issue->getArray("journals");
            Poco::JSON::Object::Ptr j = new Poco::JSON::Object;
            j->set("id", 400 + static_cast<int64_t>(journals->size()));
            j->set("notes", sent->getValue<std::string>("notes"));
            j->set("created_on", "2099-01-01T00:00:00Z");
            j->set("updated_on", "2099-01-01T00:00:00Z");
            Poco::JSON::Object::Ptr by = new Poco::JSON::Object;
            by->set("id", 12);
            by->set("name", "Alert router tg-bot");
            j->set("updated_by", by);
            j->set("private_notes", false);
            j->set("details", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
            journals->add(j);
        }
        if (lose_next_answer > 0) {
            --lose_next_answer;
            return {502, ""};
        }
        return {204, ""};
    }

    std::mutex mutex_;
    std::string dir_;
    std::map<int64_t, Poco::JSON::Object::Ptr> shown_;
    int64_t next_id_ = 102;
};

std::string notification(const std::string& instance, const std::string& starts_at) {
    return R"({"externalURL":"http://am.example.invalid:9093","alerts":[{"status":"firing",)"
           R"("labels":{"alertname":"HighCPU","instance":")" +
           instance +
           R"(","severity":"critical"},"annotations":{"description":"CPU使用率が高い"},)"
           R"("startsAt":")" +
           starts_at + R"(","endsAt":"0001-01-01T00:00:00Z","fingerprint":")" + instance +
           R"("}]})";
}

}  // namespace

TEST_CASE("Redmine 6.0 and 6.1 answers: every endpoint the client reads parses", "[client]") {
    for (const std::string version : {"6.0", "6.1"}) {
        INFO("Redmine " << version);
        const std::string dir = std::string(TG_RG_SOURCE_DIR) + "/../fixtures/redmine/" + version;
        rgtest::FakeRedmine fake;
        Issues issues(dir);
        fake.answer_with([&](const rgtest::FakeRequest& r) { return issues.answer(r); });
        for (const auto& [target, file] : std::vector<std::pair<std::string, std::string>>{
                 {"/users/current.json", "users_current.json"},
                 {"/roles/6.json", "role.json"},
                 {"/projects/alerts.json", "project.json"},
                 {"/trackers.json", "trackers.json"},
                 {"/issue_statuses.json", "issue_statuses.json"},
                 {"/enumerations/issue_priorities.json", "issue_priorities.json"},
                 {"/projects/alerts/memberships.json", "memberships.json"},
                 {"/projects/alerts/issue_categories.json", "issue_categories.json"},
                 {"/users.json", "users.json"},
                 {"/issues.json", "issues.json"},
                 {"/issues/101", "issue_page.html"},
                 {"/projects/alerts", "issue_page.html"}})
            fake.answer_file("GET", target, dir + "/" + file);

        Lines lines;
        tg_host_services services{};
        services.struct_size = sizeof services;
        services.abi_major = TG_SINK_ABI_MAJOR;
        services.abi_minor = TG_SINK_ABI_MINOR;
        services.host_ctx = &lines;
        services.log = &log_line;
        ScratchDir state;
        tg::SinkContext context{
            "redmine",
            R"({"url":")" + fake.url() +
                R"(","api_key":"0123456789abcdef","project":"alerts",)"
                R"("tracker_id":1,"status_done":"終了","status_carryover":"持ち越し",)"
                R"("priority":"高め","assignee":"tg-oncall","category":"infra",)"
                R"("watchers":["インフラ当番"],"alert_key_field":1,)"
                R"("time_zone":"Asia/Tokyo"})",
            state.path.string(), tg::HostServices(&services), ""};
        RedmineSink sink(context);

        // --check-config: the user, its role's permissions, the project, trackers, statuses,
        // priorities, members, categories, users, a leaf issue and its page.
        CHECK(sink.check());
        INFO(lines.text());
        CHECK(lines.has("text_formatting: common_mark (from /issues/101)"));

        // A second host: the state rebuilt from the 6.x list, a Root and server02 created under
        // it, server01 moved there; every create and the reparent read back.
        sink.deliver({notification("server02", "2026-11-27T07:51:27Z"), "d1", "route"});
        const int64_t root =
            issues.issue(102)->getValue<std::string>("subject") == "[Root] [Alert] HighCPU" ? 102
                                                                                            : 103;
        CHECK(issues.issue(101)->getObject("parent")->getValue<Poco::Int64>("id") == root);
        CHECK(lines.has("state rebuilt from Redmine: 1 open alert issue(s), 0 open Root(s)"));
        INFO(lines.text());
        CHECK_FALSE(lines.has("Redmine ignored"));
        CHECK_FALSE(lines.has("Redmine kept"));

        // A 再発 note whose answer is lost: the retry finds it in the 6.x journals.
        issues.lose_next_answer = 1;
        CHECK_THROWS_AS(
            sink.deliver({notification("server01", "2026-11-27T09:00:00Z"), "d2", "route"}),
            tg::RetryLater);
        sink.deliver({notification("server01", "2026-11-27T09:00:00Z"), "d2", "route"});
        CHECK(lines.has("sent before (its answer was lost) is there; not sent again"));
        CHECK(issues.issue(101)->getArray("journals")->size() == 2);

        // carry_over: the 6.x list, the statuses by name, the change read back.
        sink.run_hook({"carry_over", 0, false});
        CHECK(issues.issue(101)->getObject("status")->getValue<Poco::Int64>("id") == 7);
        CHECK(lines.has("carry_over: moved 1 issue(s)"));
    }
}
