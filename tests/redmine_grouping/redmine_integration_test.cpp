// Integration tests against a real Redmine 5.0: each case works in a fresh project and checks
// the outcome through Redmine's REST API (subjects, parents, journals, statuses).
// This file: creating and grouping, recurrences, a lost state, dry runs, long subjects. Statuses
// (close, reopen, carry-over) and errors: redmine_integration_*_test.cpp.
#include "redmine_integration_test_support.hpp"
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>

using namespace rgtest;
using namespace rgtest::integration;
using tg::redmine::RequestCounts;

TEST_CASE("first firing alert creates one issue with a full description", "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("first");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());

    deliver_ok(sink, fixture(kA), "a");
    auto issue = admin.issue(id_of(admin.find(project, "[Alert] HighCPU (server01)")));
    // Written by the user the sink runs as (the minimal bot in the redmine_bot.* run).
    const int64_t author = issue->getObject("author")->getValue<Poco::Int64>("id");
    const int64_t admin_id =
        admin.client().get("/users/current.json")->getObject("user")->getValue<Poco::Int64>("id");
    CHECK(author == (sink_is_bot() ? bot("MINIMAL").id : admin_id));
    CHECK(issue->getObject("tracker")->getValue<Poco::Int64>("id") ==
          std::stoll(redmine_env().vars.at("REDMINE_TRACKER_ID")));
    const std::string d = issue->getValue<std::string>("description");
    INFO(d);
    CHECK(d.rfind("CPU使用率が高い: server01", 0) == 0);
    CHECK(d.find("*summary:* High CPU on server01") != std::string::npos);
    CHECK(d.find("| instance | server01 |") != std::string::npos);
    CHECK(d.find("| severity | critical |") != std::string::npos);
    CHECK(d.find("2026-11-27 16:51:27 JST") != std::string::npos);
    CHECK(d.find(":http://prometheus.example.invalid/graph?g0.expr=cpu_usage+%3E+0.95") !=
          std::string::npos);
    CHECK(d.find("\"Alertmanager\":http://vm:19093") != std::string::npos);
    CHECK(admin.issues(project).size() == 1);
    // One rebuild list (empty state) and one create; in an empty project the text formatting
    // shows only on the sink's first issue (list, project page, that issue's page), whose
    // description is then written again in it (PUT).
    CHECK(show(sink.counts()) == "GET 4, POST 1, PUT 1");
    CHECK_FALSE(host.all_lines().find(redmine_env().api_key) != std::string::npos);
}

TEST_CASE("hand-written payload and an alert without instance", "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("hand");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());
    const std::string hand =
        R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"},"annotations":{"description":"test: server01"}}]})";
    deliver_ok(sink, hand, "hand-1");
    auto issue = admin.issue(id_of(admin.find(project, "[Alert] test (server01)")));
    CHECK(issue->getValue<std::string>("description").rfind("test: server01", 0) == 0);

    // The same hand-written content again under another key: same (unknown) episode, no request.
    const auto before = sink.counts();
    deliver_ok(sink, hand, "hand-2");
    CHECK(show(diff(sink.counts(), before)) == "GET 0, POST 0, PUT 0");

    deliver_ok(sink, fixture("g_no_instance_label_Watchdog.json"), "g");
    admin.find(project, "[Alert] Watchdog");
    CHECK(admin.issues(project).size() == 2);
}

TEST_CASE("the a, b, c, d, e, d2 sequence: one Root, four children, one note per resolve",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("seq");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());

    std::map<std::string, RequestCounts> per_step;
    RequestCounts last{};
    for (const auto& [step, file] : std::vector<std::pair<std::string, std::string>>{
             {"a", kA}, {"b", kB}, {"c", kC}, {"d", kD}, {"e", kE}, {"d2", kD2}}) {
        deliver_ok(sink, fixture(file), "key-" + step);
        per_step[step] = diff(sink.counts(), last);
        last = sink.counts();
        std::cout << "redmine requests for " << step << ": " << show(per_step[step]) << "\n";
    }
    std::cout << "redmine requests for the whole sequence: " << show(sink.counts()) << std::endl;

    // The one rebuild list + create, and once per instance the text formatting (see above).
    CHECK(show(per_step["a"]) == "GET 4, POST 1, PUT 1");
    // Root, server02, server03, reparent 01 and its read-back (Redmine drops a parent silently).
    CHECK(show(per_step["b"]) == "GET 1, POST 3, PUT 1");
    CHECK(show(per_step["c"]) == "GET 0, POST 1, PUT 0");
    CHECK(show(per_step["d"]) == "GET 0, POST 0, PUT 1");
    CHECK(show(per_step["e"]) == "GET 0, POST 0, PUT 0");
    CHECK(show(per_step["d2"]) == "GET 0, POST 0, PUT 3");

    CHECK(admin.issues(project).size() == 5);
    Wave w = wave_of(admin, project);
    auto root = admin.issue(w.root);
    CHECK(root->getArray("children")->size() == 4);
    for (const auto& [name, id] : w.hosts) {
        INFO(name);
        CHECK(admin.parent(id) == w.root);
        const auto notes = admin.notes(id);
        CHECK(notes.size() == 1);  // exactly one 解消 note each; e added nothing
        CHECK(count_containing(notes, "解消") == 1);
        CHECK(admin.status(id) == 1);  // close_on_resolve is off: still open (新規)
    }
    CHECK(admin.notes(w.root).empty());

    // A repeated idempotency key is a no-op without any request.
    const auto before = sink.counts();
    deliver_ok(sink, fixture(kB), "key-b");
    deliver_ok(sink, fixture(kD2), "key-d2");
    CHECK(show(diff(sink.counts(), before)) == "GET 0, POST 0, PUT 0");
    // And so is the same content under a new key (an HA peer's duplicate).
    deliver_ok(sink, fixture(kE), "key-e-again");
    CHECK(show(diff(sink.counts(), before)) == "GET 0, POST 0, PUT 0");
}

TEST_CASE("a deleted state file creates no duplicates (while running and across a restart)",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("wipe");
    TempDir dir;
    Host host;
    {
        SinkHandle sink(host, sink_config(project), dir.path.string());
        deliver_ok(sink, fixture(kA), "a");
        deliver_ok(sink, fixture(kB), "b");
        std::filesystem::remove(state_file(dir));  // under the running sink
        deliver_ok(sink, fixture(kC), "c");
        CHECK(host.count_logged("state rebuilt from Redmine") == 2);
        deliver_ok(sink, fixture(kD), "d");
    }
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(state_file(dir) + suffix);
    {
        SinkHandle sink(host, sink_config(project),
                        dir.path.string());  // a restart on an empty state
        deliver_ok(sink, fixture(kD), "d");  // the same delivery again
        deliver_ok(sink, fixture(kE), "e");
        deliver_ok(sink, fixture(kD2), "d2");
        CHECK(host.count_logged("state rebuilt from Redmine") == 3);
    }
    CHECK(admin.issues(project).size() == 5);
    Wave w = wave_of(admin, project);
    for (const auto& [name, id] : w.hosts) {
        INFO(name);
        CHECK(admin.parent(id) == w.root);
        const auto notes = admin.notes(id);
        CHECK(count_containing(notes, "再発") == 0);
        CHECK(count_containing(notes, "解消") == (name == "server02" ? 2 : 1));
    }
}

TEST_CASE("a new episode on an open issue is a 再発 note, a resend is free",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("recur");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());
    const std::string firing = fixture("prom_e2e_up_eq_0_TargetDown_firing.json");
    const std::string resolved = fixture("prom_e2e_up_eq_0_TargetDown_resolved.json");
    deliver_ok(sink, firing, "f1");
    deliver_ok(sink, resolved, "r1");
    auto before = sink.counts();
    // Fires again after it resolved: same fingerprint, new startsAt.
    const std::string refire =
        replace_all(firing, "2026-11-27T07:57:51.069Z", "2026-11-27T08:30:00.5+09:00");
    deliver_ok(sink, refire, "f2");
    CHECK(show(diff(sink.counts(), before)) == "GET 1, POST 0, PUT 1");  // the allowed check + note
    before = sink.counts();
    deliver_ok(sink, refire, "f2-resend");
    CHECK(show(diff(sink.counts(), before)) == "GET 0, POST 0, PUT 0");
    // A new startsAt while still firing (a new episode Alertmanager saw) is a recurrence too.
    deliver_ok(sink, replace_all(firing, "2026-11-27T07:57:51.069Z", "2026-11-27T09:00:00Z"), "f3");

    const int64_t id = id_of(admin.find(project, "[Alert] TargetDown (127.0.0.1:19097)"));
    const auto notes = admin.notes(id);
    REQUIRE(notes.size() == 3);
    CHECK(notes[0].find("解消") != std::string::npos);
    CHECK(notes[1].find("再発") != std::string::npos);
    CHECK(notes[1].find("2026-11-27 08:30:00 JST") != std::string::npos);
    CHECK(notes[1].find("ターゲット 127.0.0.1:19097 に到達できません") != std::string::npos);
    CHECK(notes[2].find("2026-11-27 18:00:00 JST") != std::string::npos);
    CHECK(admin.issues(project).size() == 1);
}

TEST_CASE("a dry-run delivery logs its requests and changes nothing", "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("dry");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());
    deliver_ok(sink, fixture(kB), "b", true);
    CHECK(admin.issues(project).empty());
    CHECK(host.count_logged("dry run: would POST /issues.json") == 4);
    INFO(host.all_lines());
    CHECK(host.count_logged("dry run: would PUT /issues/") == 1);
    CHECK_FALSE(host.all_lines().find(redmine_env().api_key) != std::string::npos);
    CHECK(sink.counts().post == 0);
    CHECK(sink.counts().put == 0);
    // Neither the key nor the state was kept: the real delivery does everything.
    deliver_ok(sink, fixture(kB), "b");
    CHECK(admin.issues(project).size() == 4);
}

TEST_CASE("an interrupted create is adopted, not repeated", "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("intent");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());
    deliver_ok(sink, fixture("g_no_instance_label_Watchdog.json"), "g");  // state built
    // As if the POST had succeeded and the process died before recording it.
    {
        tg::redmine::StateStore store(state_file(dir));
        store.put_intent("[Alert] HighCPU (server01)", std::time(nullptr));
    }
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("subject", "[Alert] HighCPU (server01)");
    const int64_t created = admin.create_issue_as_sink(project, fields);
    const auto before = sink.counts();
    deliver_ok(sink, fixture(kA), "a");
    CHECK(show(diff(sink.counts(), before)) == "GET 1, POST 0, PUT 0");  // one exact-subject lookup
    CHECK(admin.find(project, "[Alert] HighCPU (server01)")->getValue<Poco::Int64>("id") ==
          created);
    deliver_ok(sink, fixture(kB), "b");
    CHECK(admin.parent(created) != 0);
    CHECK(admin.issues(project).size() == 5);
}

TEST_CASE("subjects over 255 characters are cut and still identify the alert",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("long");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());
    std::string name;
    for (int i = 0; i < 300; ++i) name += "あ";
    const std::string json = R"({"alerts":[{"labels":{"alertname":")" + name +
                             R"(","instance":"server01"},"startsAt":"2026-11-27T07:51:27Z"}]})";
    deliver_ok(sink, json, "long-1");
    deliver_ok(sink, replace_all(json, "server01", "server02"), "long-2");
    auto issues = admin.issues(project);
    REQUIRE(issues.size() == 3);  // two hosts and their Root
    for (auto& i : issues)
        CHECK(tg::redmine::utf8_length(i->getValue<std::string>("subject")) <= 255);
    CHECK(issues[0]->getValue<std::string>("subject").find("(server01)") != std::string::npos);
    const auto before = sink.counts();
    deliver_ok(sink, json, "long-1-again");
    CHECK(show(diff(sink.counts(), before)) == "GET 0, POST 0, PUT 0");
}
