// Tickets that operators shape (issue 8), against a real Redmine 5.0: language and templates, the
// key labels, field mapping with the read-back of ignored fields, and the alert key field.
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace rgtest;

namespace {

int64_t id_in(const Poco::JSON::Object::Ptr& issue, const char* field) {
    auto object = issue->getObject(field);
    return object ? object->getValue<Poco::Int64>("id") : 0;
}

std::string custom_field(const Poco::JSON::Object::Ptr& issue, int64_t id) {
    auto list = issue->getArray("custom_fields");
    for (size_t i = 0; list && i < list->size(); ++i) {
        auto f = list->getObject(static_cast<unsigned>(i));
        if (f->getValue<Poco::Int64>("id") == id && f->get("value").isString())
            return f->getValue<std::string>("value");
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("language en and templates shape subjects, descriptions and notes",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("tmpl");
    TempDir dir;
    Host host;
    const std::string templates = R"J("language":"en","templates":{
        "subject":"{{labels.severity}}: {{alertname}} on {{instance}}",
        "description":"{{{default}}}\n\nRunbook: {{annotations.runbook}}\nTickets in group: {{group_tickets}}",
        "recurrence_note":"Again at {{starts_at}} ({{status}})",
        "resolved_note":"{{{default}}} / key {{{key}}}"})J";
    SinkHandle sink(host, sink_config(project, templates), dir.path.string());

    TestAlert a{
        {{"alertname", "DiskFull"}, {"instance", "host1"}, {"severity", "critical"}},
        {{"description", "disk almost full"}, {"runbook", "http://wiki.example.invalid/disk"}}};
    deliver_ok(sink, notification({a}), "t1");
    auto issue = admin.issue(id_of(admin.find(project, "critical: DiskFull on host1")));
    const std::string d = issue->getValue<std::string>("description");
    INFO(d);
    CHECK(d.rfind("disk almost full", 0) == 0);
    CHECK(contains(d, "|_. Label |_. Value |"));
    CHECK(contains(d, "*Started:* 2026-11-27 16:51:27 JST"));
    CHECK(contains(d, "\"Graph\":http://prom.example.invalid/graph"));
    CHECK(contains(d, "Runbook: http://wiki.example.invalid/disk"));
    CHECK(contains(d, "Tickets in group: 1"));

    a.starts_at = "2026-11-27T09:00:00Z";  // a new episode: a recurrence note
    deliver_ok(sink, notification({a}), "t2");
    a.firing = false;
    deliver_ok(sink, notification({a}), "t3");
    const auto notes = admin.notes(id_of(issue));
    REQUIRE(notes.size() == 2);
    CHECK(notes[0] == "Again at 2026-11-27 18:00:00 JST (firing)");
    CHECK(notes[1] == "*Resolved:* 2026-11-27 17:00:00 JST / key [Alert] DiskFull (host1)");

    // A second host: the Root keeps its default subject, its description is in English.
    TestAlert b{{{"alertname", "DiskFull"}, {"instance", "host2"}, {"severity", "warning"}}, {}};
    deliver_ok(sink, notification({a, b}), "t4");
    auto root = admin.issue(id_of(admin.find(project, "[Root] [Alert] DiskFull")));
    CHECK(root->getValue<std::string>("description") ==
          "Alert DiskFull is firing on more than one host. Each host's ticket is a subtask of "
          "this one.");
    CHECK(admin.parent(id_of(admin.find(project, "warning: DiskFull on host2"))) == id_of(root));
}

TEST_CASE("kubernetes key labels: a ticket per pod, a Root per cluster, rebuilt from Redmine",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("k8s");
    const std::string keys =
        R"("ticket_key_labels":["alertname","namespace","pod"],"root_key_labels":["alertname","cluster"])";
    auto pod = [](const std::string& name, const std::string& cluster) {
        return TestAlert{{{"alertname", "PodCrashLooping"},
                          {"namespace", "shop"},
                          {"pod", name},
                          {"cluster", cluster},
                          {"instance", "10.0.0.1:8080"}},
                         {}};
    };
    {
        TempDir dir;
        Host host;
        SinkHandle sink(host, sink_config(project, keys), dir.path.string());
        deliver_ok(
            sink,
            notification({pod("api-1", "tokyo"), pod("api-2", "tokyo"), pod("api-3", "osaka")}),
            "k1");
    }
    const int64_t root = id_of(admin.find(project, "[Root] [Alert] PodCrashLooping (tokyo)"));
    const int64_t api1 = id_of(admin.find(project, "[Alert] PodCrashLooping (shop, api-1)"));
    CHECK(admin.parent(api1) == root);
    CHECK(admin.parent(id_of(admin.find(project, "[Alert] PodCrashLooping (shop, api-2)"))) ==
          root);
    CHECK(admin.parent(id_of(admin.find(project, "[Alert] PodCrashLooping (shop, api-3)"))) == 0);
    CHECK(admin.issues(project).size() == 4);  // no Root for osaka's single pod

    // The state is lost: a new sink rebuilds it from the subjects and finds the tokyo Root.
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project, keys), dir.path.string());
    auto resolved = pod("api-1", "tokyo");
    resolved.firing = false;
    deliver_ok(sink, notification({pod("api-5", "tokyo"), resolved}), "k2");
    INFO(host.all_lines());
    CHECK(admin.parent(id_of(admin.find(project, "[Alert] PodCrashLooping (shop, api-5)"))) ==
          root);
    CHECK(admin.notes(api1).size() == 1);  // the 解消 note on the old ticket, not a new one
    CHECK(admin.issues(project).size() == 5);
}

TEST_CASE("field mapping: priority, assignee, watchers, category, custom fields, private",
          "[redmine]") {
    Admin admin;
    const std::string project = admin.create_project("fields");
    const int64_t user = fixture_id("USER_ID"), group = fixture_id("GROUP_ID");
    admin.add_member(project, user);
    admin.add_member(project, group);
    const int64_t category = admin.create_category(project, "infra");
    auto priorities =
        admin.client().get("/enumerations/issue_priorities.json")->getArray("issue_priorities");
    REQUIRE(priorities->size() >= 4);
    const std::string high_name = priorities->getObject(3)->getValue<std::string>("name");
    const int64_t high = priorities->getObject(3)->getValue<Poco::Int64>("id");
    const int64_t low = priorities->getObject(0)->getValue<Poco::Int64>("id");
    const int64_t namespace_field = fixture_id("CF_NAMESPACE");
    const int64_t disabled_field = fixture_id("CF_NOT_ENABLED");

    TempDir dir;
    Host host;
    const std::string fields = R"("priorities":{"critical":")" + high_name + R"(","warning":)" +
                               std::to_string(low) + R"(},"assignee":")" +
                               redmine_fixtures().at("TG_FIXTURE_GROUP_NAME") +
                               R"(","assignee_label":"owner","watchers":[")" +
                               redmine_fixtures().at("TG_FIXTURE_USER_LOGIN") +
                               R"("],"category":"infra","private":true,"custom_fields":{")" +
                               std::to_string(namespace_field) + R"(":"{{labels.namespace}}",")" +
                               std::to_string(disabled_field) + R"(":"dropped"})";
    SinkHandle sink(host, sink_config(project, fields), dir.path.string());

    TestAlert critical{{{"alertname", "QueueFull"},
                        {"instance", "mq1"},
                        {"severity", "critical"},
                        {"namespace", "billing"},
                        {"owner", redmine_fixtures().at("TG_FIXTURE_USER_NAME")}},
                       {}};
    TestAlert warning{{{"alertname", "QueueSlow"}, {"instance", "mq2"}, {"severity", "warning"}},
                      {}};
    deliver_ok(sink, notification({critical, warning}), "f1");
    INFO(host.all_lines());

    auto first = admin.client()
                     .get("/issues/" +
                          std::to_string(id_of(admin.find(project, "[Alert] QueueFull (mq1)"))) +
                          ".json?include=watchers")
                     ->getObject("issue");
    CHECK(id_in(first, "priority") == high);
    CHECK(id_in(first, "assigned_to") == user);  // the label names the user
    CHECK(id_in(first, "category") == category);
    CHECK(first->getValue<bool>("is_private"));
    CHECK(custom_field(first, namespace_field) == "billing");
    auto watchers = first->getArray("watchers");
    REQUIRE(watchers);
    // The configured watcher; and the API user itself when its preferences auto-watch issues it
    // contributed to (the sink wrote the first ticket's description again once it saw Redmine's
    // formatting): docs/operators-guide.md says how to turn that off for the bot.
    const int64_t api_user =
        admin.client().get("/users/current.json")->getObject("user")->getValue<Poco::Int64>("id");
    std::set<int64_t> watching;
    for (size_t i = 0; i < watchers->size(); ++i)
        watching.insert(watchers->getObject(i)->getValue<Poco::Int64>("id"));
    CHECK(watching.count(user) == 1);
    watching.erase(api_user);
    CHECK(watching == std::set<int64_t>{user});

    auto second = admin.issue(id_of(admin.find(project, "[Alert] QueueSlow (mq2)")));
    CHECK(id_in(second, "priority") == low);
    CHECK(id_in(second, "assigned_to") == group);  // no label: the sink's assignee, a group

    // The custom field enabled for no project: Redmine answered 201 and dropped it.
    CHECK(host.count_logged("Redmine ignored custom_fields." + std::to_string(disabled_field)) ==
          2);
    CHECK_FALSE(host.logged("Redmine ignored priority_id"));
    CHECK_FALSE(host.logged("Redmine ignored assigned_to_id"));
    CHECK_FALSE(host.logged("Redmine ignored watchers"));
    CHECK_FALSE(contains(host.all_lines(), redmine_env().api_key));
}

TEST_CASE("an unknown priority or assignee name leaves the field out and says so", "[redmine]") {
    Admin admin;
    const std::string project = admin.create_project("fields-unknown");
    TempDir dir;
    Host host;
    SinkHandle sink(
        host, sink_config(project, R"("priority":"no-such-priority","assignee":"nobody-here")"),
        dir.path.string());
    deliver_ok(sink, notification({TestAlert{{{"alertname", "Odd"}, {"instance", "x1"}}, {}}}),
               "u1");
    admin.find(project, "[Alert] Odd (x1)");
    CHECK(host.logged("priority: Redmine has no 'no-such-priority'"));
    CHECK(host.logged("assignee: Redmine has no 'nobody-here'"));
    CHECK_FALSE(sink.sink().check());  // and --check-config names both settings
    CHECK(host.logged("priority: Redmine has no 'no-such-priority'"));
}

TEST_CASE("the alert key field finds a ticket after its subject was edited and the state lost",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("keyfield");
    const int64_t field = fixture_id("CF_ALERT_KEY");
    const std::string config =
        sink_config(project, R"("alert_key_field":)" + std::to_string(field));
    TestAlert h1{{{"alertname", "KeyTest"}, {"instance", "h1"}}, {}};
    {
        TempDir dir;
        Host host;
        SinkHandle sink(host, config, dir.path.string());
        deliver_ok(sink, notification({h1}), "key1");
    }
    const int64_t id = id_of(admin.find(project, "[Alert] KeyTest (h1)"));
    CHECK(custom_field(admin.issue(id), field) == "[Alert] KeyTest (h1)");
    admin.set_subject(id, "Investigating: the disk of h1");

    // People (and the sink) find it by the key: cf_N=<key> is an exact filter.
    auto found = admin.client()
                     .get("/issues.json?project_id=" + project + "&cf_" + std::to_string(field) +
                          "=" + tg::redmine::RedmineClient::encode("[Alert] KeyTest (h1)"))
                     ->getArray("issues");
    REQUIRE(found->size() == 1);
    CHECK(id_of(found->getObject(0)) == id);

    TempDir dir;
    Host host;
    SinkHandle sink(host, config, dir.path.string());
    TestAlert h2{{{"alertname", "KeyTest"}, {"instance", "h2"}}, {}};
    deliver_ok(sink, notification({h2}), "key2");
    INFO(host.all_lines());
    const int64_t root = id_of(admin.find(project, "[Root] [Alert] KeyTest"));
    CHECK(admin.parent(id) == root);  // the edited ticket joined the Root
    CHECK(custom_field(admin.issue(root), field) == "[Root] [Alert] KeyTest");
    h1.firing = false;
    deliver_ok(sink, notification({h1}), "key3");
    CHECK(admin.notes(id).size() == 1);
    CHECK(admin.issues(project).size() == 3);
}
