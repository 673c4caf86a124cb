// Issue 15 §2 against the real Redmine: an alertname firing on many hosts with max_children
// makes that many tickets under one Root, and lists the other hosts on the Root in one batch
// note per delivery.
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace rgtest;

namespace {

std::vector<TestAlert> storm(int from, int to, bool firing) {
    std::vector<TestAlert> alerts;
    for (int i = from; i <= to; ++i) {
        TestAlert a{{{"alertname", "StormCPU"}, {"instance", "node" + std::to_string(i)}},
                    {{"description", "CPU high"}}};
        a.firing = firing;
        alerts.push_back(a);
    }
    return alerts;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("max_children 10: 60 hosts make 10 tickets and a Root, the other 50 listed on it",
          "[redmine][grouping]") {
    Admin admin;
    const std::string project = admin.create_project("storm");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project, R"("max_children":10)"), dir.path.string());
    const auto before = sink.counts();
    deliver_ok(sink, notification(storm(1, 60, true)), "storm");
    // Within a minute of the first batch note, the resolves wait for the root_batches hook.
    deliver_ok(sink, notification(storm(11, 30, false)), "resolve-20");
    const int64_t first_root = id_of(admin.find(project, "[Root] [Alert] StormCPU"));
    CHECK(admin.notes(first_root).size() == 1);
    // Its dry run lists the note it would write, and writes nothing.
    REQUIRE(sink.run_hook("root_batches", true) == TG_OK);
    CHECK(host.logged("dry run: root_batches would write 1 batch note(s)"));
    CHECK(host.logged("would PUT /issues/" + std::to_string(first_root) + ".json (batch note)"));
    CHECK(admin.notes(first_root).size() == 1);
    REQUIRE(sink.run_hook("root_batches") == TG_OK);
    const auto counts = sink.counts();
    const int writes = (counts.post - before.post) + (counts.put - before.put);

    const auto issues = admin.issues(project);
    int64_t root = 0;
    std::set<std::string> tickets;
    for (const auto& i : issues) {
        const std::string subject = i->getValue<std::string>("subject");
        if (subject == "[Root] [Alert] StormCPU")
            root = id_of(i);
        else
            tickets.insert(subject);
    }
    REQUIRE(root != 0);
    CHECK(issues.size() == 11);
    for (int i = 1; i <= 10; ++i)
        CHECK(tickets.count("[Alert] StormCPU (node" + std::to_string(i) + ")") == 1);
    for (const auto& i : issues)
        if (id_of(i) != root) CHECK(admin.parent(id_of(i)) == root);

    const auto notes = admin.notes(root);
    REQUIRE(notes.size() == 2);
    INFO(notes[0]);
    CHECK(has(notes[0], "max_children (10) を超えたため"));
    for (int i = 11; i <= 60; ++i) CHECK(has(notes[0], "node" + std::to_string(i)));
    CHECK_FALSE(has(notes[0], "node10,"));
    CHECK(has(notes[0], "現在の影響ホスト: 60 (個別チケット 10、この一覧のみ 50)"));
    INFO(notes[1]);
    CHECK(has(notes[1], "解消:"));
    for (int i = 11; i <= 30; ++i) CHECK(has(notes[1], "node" + std::to_string(i)));
    CHECK_FALSE(has(notes[1], "node31"));
    CHECK(has(notes[1], "現在の影響ホスト: 40 (個別チケット 10、この一覧のみ 30)"));

    // Redmine writes within 2 × (tickets + batches): 11 issues, 2 batch notes.
    INFO("writes " << writes);
    CHECK(writes <= 2 * (11 + 2));
    CHECK(host.logged("batch note of 50 listed host(s)"));
    CHECK(host.logged("batch note of 20 listed host(s)"));
    // A resend of the storm costs nothing.
    const auto settled = sink.counts();
    deliver_ok(sink, notification(storm(1, 60, true)), "storm-again");
    deliver_ok(sink, notification(storm(31, 60, true)), "storm-again-2");
    CHECK(sink.counts().post == settled.post);
    CHECK(sink.counts().put == settled.put);
}
