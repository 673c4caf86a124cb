// Issue 15, section 5, against a real Redmine 5.0: wont_fix_statuses (a ticket a person closed
// "won't fix" is never reopened, and its re-fires open no new ticket while the closure is within
// reopen_window, or ever with the window 0) and update_priority.
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace rgtest;

namespace {

constexpr int64_t kRejected = 6;  // 却下, a closed status of the local Redmine

TestAlert wont_fix_alert(const std::string& starts_at) {
    TestAlert a;
    a.labels = {{"alertname", "WontFix"}, {"instance", "server01"}};
    a.starts_at = starts_at;
    return a;
}

const std::string kWontFixSubject = "[Alert] WontFix (server01)";

double wont_fix_refires(const Host& host) {
    auto it = host.metrics.find("redmine_wont_fix_refires_total{}");
    return it == host.metrics.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE(
    "wont_fix_statuses: a re-fire of a ticket closed 却下 writes nothing, ever with "
    "reopen_window 0",
    "[redmine][grouping][wont_fix]") {
    Admin admin;
    const std::string project = admin.create_project("wontfix");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project, R"("wont_fix_statuses":["却下"])"),
                    dir.path.string());
    deliver_ok(sink, notification({wont_fix_alert("2026-11-27T07:00:00Z")}), "f1");
    const int64_t id = id_of(admin.find(project, kWontFixSubject));
    admin.set_status(id, kRejected);
    const size_t journals = admin.issue(id)->getArray("journals")->size();

    for (int i = 1; i <= 3; ++i) {
        const auto before = sink.counts();
        deliver_ok(sink,
                   notification({wont_fix_alert("2026-11-27T07:0" + std::to_string(i) + ":00Z")}),
                   "refire" + std::to_string(i));
        CHECK(sink.counts().post == before.post);
        CHECK(sink.counts().put == before.put);
    }
    CHECK(admin.issues(project).size() == 1);                          // no new ticket
    CHECK(admin.status(id) == kRejected);                              // not reopened
    CHECK(admin.issue(id)->getArray("journals")->size() == journals);  // nothing written
    CHECK(wont_fix_refires(host) == 3);
    CHECK(host.count_logged("closed as won't fix") == 3);
    WARN("wont_fix re-fires counted: " << wont_fix_refires(host));

    // Closed 終了, not a wont_fix status: a new ticket, as without the setting.
    TestAlert other = wont_fix_alert("2026-11-27T07:00:00Z");
    other.labels["instance"] = "server02";
    deliver_ok(sink, notification({other}), "g1");
    const int64_t done = id_of(admin.find(project, "[Alert] WontFix (server02)"));
    admin.set_status(done, redmine_env().status_done);
    other.starts_at = "2026-11-27T08:00:00Z";
    deliver_ok(sink, notification({other}), "g2");
    CHECK(admin.issues(project).size() == 3);
    CHECK(wont_fix_refires(host) == 3);
}

TEST_CASE(
    "wont_fix_statuses: within reopen_window no reopen and no new ticket, after it a new "
    "ticket",
    "[redmine][grouping][wont_fix]") {
    Admin admin;
    const std::string project = admin.create_project("wontfixw");
    TempDir dir;
    Host host;
    // By id, as REDMINE_WONT_FIX_STATUSES in the env file.
    host.env["REDMINE_WONT_FIX_STATUSES"] = std::to_string(kRejected);
    SinkHandle sink(host, sink_config(project, R"("reopen_window":"10s")"), dir.path.string());
    deliver_ok(sink, notification({wont_fix_alert("2026-11-27T07:00:00Z")}), "f1");
    const int64_t id = id_of(admin.find(project, kWontFixSubject));
    admin.set_status(id, kRejected);
    deliver_ok(sink, notification({wont_fix_alert("2026-11-27T08:00:00Z")}), "f2");
    CHECK(admin.issues(project).size() == 1);
    CHECK(admin.status(id) == kRejected);
    CHECK(admin.notes(id).empty());
    CHECK(wont_fix_refires(host) == 1);

    std::this_thread::sleep_for(std::chrono::seconds(12));  // the closure is now older than 10s
    deliver_ok(sink, notification({wont_fix_alert("2026-11-27T09:00:00Z")}), "f3");
    auto all = admin.issues(project);
    REQUIRE(all.size() == 2);
    CHECK(admin.status(id) == kRejected);
    const int64_t second = id_of(all[1]);
    CHECK(admin.status(second) == 1);
    CHECK(wont_fix_refires(host) == 1);
}

namespace {

TestAlert prio_alert(const std::string& severity, const std::string& starts_at,
                     bool firing = true) {
    TestAlert a;
    a.labels = {{"alertname", "PrioTest"}, {"instance", "server01"}, {"severity", severity}};
    a.starts_at = starts_at;
    a.firing = firing;
    a.ends_at = "2026-11-27T07:30:00Z";
    return a;
}

const std::string kPrioSubject = "[Alert] PrioTest (server01)";
const std::string kPriorities = R"("priorities":{"warning":"通常","critical":"急いで"})";
constexpr int64_t kNormal = 2, kUrgent = 4, kImmediate = 5;  // the local Redmine's priorities

int64_t priority_of(Admin& admin, int64_t id) {
    return admin.issue(id)->getObject("priority")->getValue<Poco::Int64>("id");
}

}  // namespace

TEST_CASE(
    "update_priority: the priority follows the most urgent firing alert with a note, "
    "and a person's change is left alone",
    "[redmine][grouping][priority]") {
    Admin admin;
    const std::string project = admin.create_project("prio");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project, kPriorities + R"(,"update_priority":true)"),
                    dir.path.string());
    deliver_ok(sink, notification({prio_alert("warning", "2026-11-27T07:00:00Z")}), "w1");
    const int64_t id = id_of(admin.find(project, kPrioSubject));
    CHECK(priority_of(admin, id) == kNormal);

    // The critical alert of the same ticket fires: 通常 → 急いで.
    const TestAlert critical = prio_alert("critical", "2026-11-27T07:05:00Z");
    deliver_ok(sink, notification({critical}), "c1");
    CHECK(priority_of(admin, id) == kUrgent);
    CHECK(admin.count_notes(id, "優先度") == 1);
    CHECK(admin.count_notes(id, "通常 → 急いで") == 1);
    auto before = sink.counts();
    deliver_ok(sink, notification({critical}), "c1-resend");  // in line: no request at all
    CHECK(sink.counts().total() == before.total());

    // It resolves; the warning still fires: back to 通常.
    deliver_ok(sink, notification({prio_alert("critical", "2026-11-27T07:05:00Z", false)}), "c1r");
    CHECK(priority_of(admin, id) == kNormal);
    CHECK(admin.count_notes(id, "急いで → 通常") == 1);

    // A person sets 今すぐ; the critical alert fires again: the priority stays the person's.
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("priority_id", kImmediate);
    Poco::JSON::Object body;
    body.set("issue", fields);
    admin.client().put("/issues/" + std::to_string(id) + ".json", body, "a person's priority");
    deliver_ok(sink, notification({prio_alert("critical", "2026-11-27T08:00:00Z")}), "c2");
    CHECK(priority_of(admin, id) == kImmediate);
    CHECK(admin.count_notes(id, "優先度") == 2);
    CHECK(host.logged("its priority was changed by a person"));
    WARN("update_priority notes: " << admin.count_notes(id, "優先度"));
}

TEST_CASE("update_priority off (the default): the priority stays as created",
          "[redmine][grouping][priority]") {
    Admin admin;
    const std::string project = admin.create_project("prio-off");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project, kPriorities), dir.path.string());
    deliver_ok(sink, notification({prio_alert("warning", "2026-11-27T07:00:00Z")}), "w1");
    deliver_ok(sink, notification({prio_alert("critical", "2026-11-27T07:05:00Z")}), "c1");
    const int64_t id = id_of(admin.find(project, kPrioSubject));
    CHECK(priority_of(admin, id) == kNormal);
    CHECK(admin.count_notes(id, "優先度") == 0);
}
