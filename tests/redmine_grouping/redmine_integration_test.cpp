// Integration tests against a real Redmine 5.0: each case works in a fresh project and checks
// the outcome through Redmine's REST API (subjects, parents, journals, statuses).
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

#include <iostream>

using namespace rgtest;
using tg::redmine::RequestCounts;

namespace {

const std::string kA = "a_firing_single_alert_HighCPU_server01.json";
const std::string kB = "b_firing_group_3_alerts_HighCPU_server01-03.json";
const std::string kC = "c_firing_group_4th_alert_joins_HighCPU_server01-04.json";
const std::string kD = "d_mixed_one_resolved_three_firing_HighCPU.json";
const std::string kE = "e_repeat_after_repeat_interval_HighCPU_unchanged.json";
const std::string kD2 = "d2_all_resolved_HighCPU.json";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

RequestCounts diff(const RequestCounts& after, const RequestCounts& before) {
    return {after.get - before.get, after.post - before.post, after.put - before.put};
}

std::string show(const RequestCounts& c) {
    return "GET " + std::to_string(c.get) + ", POST " + std::to_string(c.post) + ", PUT " +
           std::to_string(c.put);
}

int count_containing(const std::vector<std::string>& notes, const std::string& part) {
    int n = 0;
    for (const auto& s : notes)
        if (s.find(part) != std::string::npos) ++n;
    return n;
}

// The HighCPU wave's issues in a project: the four hosts and the Root (exactly one of each).
struct Wave {
    int64_t root = 0;
    std::map<std::string, int64_t> hosts;
};

Wave wave_of(Admin& admin, const std::string& project) {
    Wave w;
    w.root = id_of(admin.find(project, "[Root] [Alert] HighCPU"));
    for (const char* h : {"server01", "server02", "server03", "server04"})
        w.hosts[h] = id_of(admin.find(project, std::string("[Alert] HighCPU (") + h + ")"));
    return w;
}

}  // namespace

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

TEST_CASE("close_on_resolve closes each host and then the Root, and a closed Root is not reused",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("close");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project, R"("close_on_resolve":true)"), dir.path.string());
    for (const auto& [key, file] : std::vector<std::pair<std::string, std::string>>{
             {"a", kA}, {"b", kB}, {"c", kC}, {"d", kD}, {"e", kE}, {"d2", kD2}})
        deliver_ok(sink, fixture(file), key);
    std::cout << "close_on_resolve sequence: " << show(sink.counts()) << std::endl;
    const auto done = redmine_env().status_done;
    Wave w = wave_of(admin, project);
    for (const auto& [name, id] : w.hosts) {
        INFO(name);
        CHECK(admin.status(id) == done);
        CHECK(count_containing(admin.notes(id), "解消") == 1);
    }
    CHECK(admin.status(w.root) == done);

    // A new wave after the old Root closed: new host issues under a new Root.
    const std::string refire = replace_all(fixture(kB), "2026-11-27T07:5", "2026-11-27T09:5");
    deliver_ok(sink, refire, "b-again");
    std::vector<int64_t> roots;
    for (auto& i : admin.issues(project))
        if (i->getValue<std::string>("subject") == "[Root] [Alert] HighCPU")
            roots.push_back(id_of(i));
    REQUIRE(roots.size() == 2);
    const int64_t new_root = std::max(roots[0], roots[1]);
    CHECK(new_root != w.root);
    CHECK(admin.status(w.root) == done);
    int open_children = 0;
    for (auto& i : admin.issues(project)) {
        if (i->getValue<std::string>("subject").rfind("[Alert] HighCPU", 0) != 0) continue;
        if (admin.status(id_of(i)) == done) continue;
        ++open_children;
        CHECK(admin.parent(id_of(i)) == new_root);
    }
    CHECK(open_children == 3);
}

TEST_CASE("a Root closed by a person is never reused: the next host starts afresh",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("closedroot");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());
    deliver_ok(sink, fixture(kA), "a");
    deliver_ok(sink, fixture(kB), "b");
    const int64_t root = id_of(admin.find(project, "[Root] [Alert] HighCPU"));
    const auto done = redmine_env().status_done;
    for (const char* h : {"server01", "server02", "server03"})
        admin.set_status(id_of(admin.find(project, std::string("[Alert] HighCPU (") + h + ")")),
                         done);
    admin.set_status(root, done);

    // server04 joins; the state still believes the Root open. Redmine refuses the child (422),
    // the sink sees the Root closed and creates server04 without it.
    deliver_ok(sink, fixture(kC), "c");
    const int64_t s4 = id_of(admin.find(project, "[Alert] HighCPU (server04)"));
    CHECK(admin.parent(s4) == 0);
    CHECK(admin.status(root) == done);
    CHECK(admin.issue(root)->getArray("children")->size() == 3);

    // server01 fires again: a new issue, and with server04 a new wave under a new Root.
    deliver_ok(sink,
               replace_all(fixture(kA), "2026-11-27T07:51:27.70064839Z", "2026-11-27T11:00:00Z"),
               "a-again");
    std::vector<int64_t> roots, s1;
    for (auto& i : admin.issues(project)) {
        const std::string subject = i->getValue<std::string>("subject");
        if (subject == "[Root] [Alert] HighCPU") roots.push_back(id_of(i));
        if (subject == "[Alert] HighCPU (server01)") s1.push_back(id_of(i));
    }
    REQUIRE(roots.size() == 2);
    REQUIRE(s1.size() == 2);
    CHECK(admin.parent(s4) == roots[1]);
    CHECK(admin.parent(s1[1]) == roots[1]);
    CHECK(admin.parent(s1[0]) == root);  // the closed one stays where it was
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

TEST_CASE("an issue closed by a person: a new issue, or within reopen_window a reopen",
          "[redmine][grouping]") {
    Admin admin;
    const auto done = redmine_env().status_done;
    const std::string firing = fixture("prom_e2e_up_eq_0_TargetDown_firing.json");
    const std::string refire =
        replace_all(firing, "2026-11-27T07:57:51.069Z", "2026-11-27T10:00:00Z");
    const std::string subject = "[Alert] TargetDown (127.0.0.1:19097)";

    SECTION("no reopen window: a new issue") {
        const std::string project = admin.create_project("newafter");
        TempDir dir;
        Host host;
        SinkHandle sink(host, sink_config(project), dir.path.string());
        deliver_ok(sink, firing, "f1");
        const int64_t first = id_of(admin.find(project, subject));
        admin.set_status(first, done);
        deliver_ok(sink, refire, "f2");
        auto all = admin.issues(project);
        REQUIRE(all.size() == 2);
        CHECK(id_of(all[0]) == first);
        CHECK(admin.status(first) == done);
        CHECK(admin.notes(first).empty());
        CHECK(all[1]->getValue<std::string>("subject") == subject);
        CHECK(admin.status(id_of(all[1])) == 1);
    }
    SECTION("within reopen_window: the old issue reopened with a note") {
        const std::string project = admin.create_project("reopen");
        TempDir dir;
        Host host;
        SinkHandle sink(host, sink_config(project, R"("reopen_window":"72h")"), dir.path.string());
        deliver_ok(sink, firing, "f1");
        const int64_t first = id_of(admin.find(project, subject));
        admin.set_status(first, done);
        deliver_ok(sink, refire, "f2");
        CHECK(admin.issues(project).size() == 1);
        CHECK(admin.status(first) == 1);  // the tracker's default status, 新規
        CHECK(count_containing(admin.notes(first), "再オープン") == 1);
    }
}

TEST_CASE("carry_over hook: moves open sink issues once, dry run only logs",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("carry");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());
    deliver_ok(sink, fixture(kB), "b");
    const int64_t manual = admin.create_issue(project, "a person's own ticket");
    Wave w;
    w.root = id_of(admin.find(project, "[Root] [Alert] HighCPU"));
    const int64_t s3 = id_of(admin.find(project, "[Alert] HighCPU (server03)"));
    admin.set_status(s3, redmine_env().status_done);  // done: left alone

    auto before = sink.counts();
    REQUIRE(sink.run_hook("carry_over", true) == TG_OK);
    CHECK(host.count_logged("dry run: would move #") == 3);  // Root, server01, server02
    CHECK(diff(sink.counts(), before).put == 0);
    CHECK(admin.status(w.root) == 1);

    REQUIRE(sink.run_hook("carry_over") == TG_OK);
    const auto carry = redmine_env().status_carryover;
    for (const char* subject :
         {"[Root] [Alert] HighCPU", "[Alert] HighCPU (server01)", "[Alert] HighCPU (server02)"}) {
        INFO(subject);
        const int64_t id = id_of(admin.find(project, subject));
        CHECK(admin.status(id) == carry);
        CHECK(count_containing(admin.notes(id), "持ち越し") == 1);
    }
    CHECK(admin.status(s3) == redmine_env().status_done);
    CHECK(admin.status(manual) == 1);

    before = sink.counts();
    REQUIRE(sink.run_hook("carry_over") == TG_OK);  // nothing left to change
    CHECK(diff(sink.counts(), before).put == 0);
    CHECK(count_containing(admin.notes(w.root), "持ち越し") == 1);

    CHECK(sink.run_hook("no_such_hook") == TG_DROP);
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

TEST_CASE("errors: Redmine's refusals are dropped with its text, outages are retried",
          "[redmine]") {
    Admin admin;
    TempDir dir;
    Host host;

    SECTION("422 from Redmine (no such project) is a Drop with Redmine's message, never the key") {
        SinkHandle sink(host, sink_config(unique_ident("missing")), dir.path.string());
        CHECK(sink.deliver(fixture(kA), "a") == TG_DROP);
        INFO(sink.error());
        CHECK(sink.error().find("HTTP 4") != std::string::npos);
        CHECK(sink.error().find(redmine_env().api_key) == std::string::npos);
    }
    SECTION("a status change Redmine silently ignores is reported, not pretended") {
        const std::string project = admin.create_project("ignored");
        SinkHandle sink(host, sink_config(project, R"("close_on_resolve":true,"status_done":9999)"),
                        dir.path.string());
        deliver_ok(sink, fixture("prom_e2e_up_eq_0_TargetDown_firing.json"), "f");
        CHECK(sink.deliver(fixture("prom_e2e_up_eq_0_TargetDown_resolved.json"), "r") == TG_DROP);
        INFO(sink.error());
        CHECK(sink.error().find("Redmine kept issue") != std::string::npos);
        CHECK(host.logged("Redmine kept issue"));
    }
    SECTION("one failing alert does not stop the others; the delivery then fails") {
        const std::string project = admin.create_project("partial");
        SinkHandle sink(host, sink_config(project, R"("close_on_resolve":true,"status_done":9999)"),
                        dir.path.string());
        deliver_ok(sink, fixture("prom_e2e_up_eq_0_TargetDown_firing.json"), "f");
        const std::string both =
            R"({"alerts":[{"status":"resolved","fingerprint":"71f04b32d7dfa8f6","labels":{"alertname":"TargetDown","instance":"127.0.0.1:19097"},"startsAt":"2026-11-27T07:57:51.069Z","endsAt":"2026-11-27T07:57:55.069Z"},)"
            R"({"status":"firing","fingerprint":"x1","labels":{"alertname":"DiskFull","instance":"db01"},"startsAt":"2026-11-27T07:58:00Z"}]})";
        CHECK(sink.deliver(both, "both") == TG_DROP);
        INFO(sink.error());
        CHECK(sink.error().find("1 of 2 alert(s) failed") != std::string::npos);
        admin.find(project, "[Alert] DiskFull (db01)");  // applied all the same

        // An unreadable alert is dropped, the readable one still applied.
        const std::string mixed =
            R"({"alerts":[{"labels":{"instance":"x"}},{"labels":{"alertname":"Ok","instance":"y"}}]})";
        CHECK(sink.deliver(mixed, "mixed") == TG_DROP);
        CHECK(sink.error().find("no alertname label") != std::string::npos);
        admin.find(project, "[Alert] Ok (y)");
    }
    SECTION("a status name is resolved through Redmine") {
        const std::string project = admin.create_project("byname");
        SinkHandle sink(host,
                        sink_config(project, R"("close_on_resolve":true,"status_done":"終了")"),
                        dir.path.string());
        deliver_ok(sink, fixture("prom_e2e_up_eq_0_TargetDown_firing.json"), "f");
        deliver_ok(sink, fixture("prom_e2e_up_eq_0_TargetDown_resolved.json"), "r");
        CHECK(admin.status(id_of(admin.find(project, "[Alert] TargetDown (127.0.0.1:19097)"))) ==
              redmine_env().status_done);
    }
    SECTION("an unreachable Redmine is retried later") {
        host.env["REDMINE_URL"] = "http://127.0.0.1:9";
        SinkHandle sink(host, sink_config("alerts", R"("timeout":"3s")"), dir.path.string());
        CHECK(sink.deliver(fixture(kA), "a") == TG_RETRY_LATER);
        INFO(sink.error());
        CHECK(sink.error().find(redmine_env().api_key) == std::string::npos);
    }
    SECTION("a wrong API key is a Drop") {
        host.env["REDMINE_API_KEY"] = "0000000000000000000000000000000000000000";
        SinkHandle sink(host, sink_config(admin.create_project("badkey")), dir.path.string());
        CHECK(sink.deliver(fixture(kA), "a") == TG_DROP);
        INFO(sink.error());
        CHECK(sink.error().find("0000000000") == std::string::npos);
    }
}
