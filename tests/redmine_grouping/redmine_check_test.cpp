// check() (what --check-config runs) against the real Redmine: each problem names its setting.
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

using namespace rgtest;

TEST_CASE("check() reaches Redmine and resolves the configured statuses", "[redmine]") {
    Admin admin;
    TempDir dir;
    Host host;
    SinkHandle good(host,
                    sink_config(admin.create_project("check"), R"("status_carryover":"持ち越し")"),
                    dir.path.string());
    CHECK(good.sink().check());
    SinkHandle bad(host, sink_config("alerts", R"("status_carryover":"存在しない")"),
                   dir.path.string());
    CHECK_FALSE(bad.sink().check());
    CHECK(host.logged("存在しない"));
}

TEST_CASE("check() names the setting of each problem: key, tracker, workflow", "[redmine]") {
    Admin admin;
    TempDir dir;
    const std::string project = admin.create_project("check-names");
    admin.create_issue(project, "an open issue the workflow check can look at");
    const std::string tracker = redmine_env().vars.at("REDMINE_TRACKER_ID");
    const std::string statuses = R"("status_done":)" + std::to_string(redmine_env().status_done) +
                                 R"(,"status_carryover":"持ち越し")";
    for (const char* sub : {"good", "key", "tracker"})
        std::filesystem::create_directories(dir.path / sub);
    {
        Host host;
        SinkHandle good(host, sink_config(project, R"("tracker_id":)" + tracker + "," + statuses),
                        (dir.path / "good").string());
        CHECK(good.sink().check());
        CHECK_FALSE(host.logged("could not be checked"));
    }
    {
        Host host;
        host.env["REDMINE_API_KEY"] = std::string(40, '0');
        SinkHandle wrong_key(host, sink_config(project, statuses), (dir.path / "key").string());
        CHECK_FALSE(wrong_key.sink().check());
        CHECK(host.logged("api_key:"));
        CHECK_FALSE(host.logged(std::string(40, '0')));
    }
    {
        Host host;
        SinkHandle wrong_tracker(host, sink_config(project, R"("tracker_id":9999)"),
                                 (dir.path / "tracker").string());
        CHECK_FALSE(wrong_tracker.sink().check());
        CHECK(host.logged("tracker_id: tracker 9999"));
    }
}

TEST_CASE("check() looks at the workflow on a leaf issue, not on a Root with open subtasks",
          "[redmine]") {
    Admin admin;
    const std::string project = admin.create_project("check-leaf");
    const int64_t child = admin.create_issue(project, "an open child");
    const int64_t parent = admin.create_issue(project, "its parent, the newest issue");
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("parent_issue_id", parent);
    Poco::JSON::Object body;
    body.set("issue", fields);
    admin.client().put("/issues/" + std::to_string(child) + ".json", body, "test parent");
    REQUIRE(admin.parent(child) == parent);
    // Redmine hides the closed statuses of a parent with open subtasks (closable?).
    auto statuses = admin.client()
                        .get("/issues/" + std::to_string(parent) + ".json?include=allowed_statuses")
                        ->getObject("issue")
                        ->getArray("allowed_statuses");
    bool done_allowed = false;
    for (size_t i = 0; statuses && i < statuses->size(); ++i)
        done_allowed = done_allowed || statuses->getObject(i)->getValue<Poco::Int64>("id") ==
                                           redmine_env().status_done;
    REQUIRE_FALSE(done_allowed);
    TempDir dir;
    Host host;
    SinkHandle sink(
        host, sink_config(project, R"("status_done":)" + std::to_string(redmine_env().status_done)),
        dir.path.string());
    INFO(host.all_lines());
    CHECK(sink.sink().check());
    CHECK_FALSE(host.logged("status_done: the workflow does not let"));
}
