// Integration tests against a real Redmine: the statuses the sink sets and finds. close_on_resolve,
// Roots and issues closed by a person (never reused, or reopened within reopen_window), and the
// carry_over hook.
#include "redmine_integration_test_support.hpp"
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>

using namespace rgtest;
using namespace rgtest::integration;

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
