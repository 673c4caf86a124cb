// A least-privilege API user through the real host and the real Redmine (issue 12): a bot whose
// role lacks manage_subtasks fails --check-config naming it, and at run time the parent Redmine
// dropped is logged, counted and the alert not reported delivered; the bot of the documented
// minimal role passes --check-config. (The grouping tests also run as that bot:
// redmine_grouping.redmine_bot.*.)
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <iostream>

namespace {

const char* kA = "a_firing_single_alert_HighCPU_server01.json";
const char* kB = "b_firing_group_3_alerts_HighCPU_server01-03.json";

std::string project_with_bots(rgtest::Admin& admin, const std::string& tag) {
    const std::string project = admin.create_project(tag);
    for (const char* name : {"MINIMAL", "RESTRICTED"})
        admin.add_member(project, rgtest::bot(name).id, rgtest::bot(name).role_id);
    return project;
}

int check_config(const std::string& env_file, const rgtest::TempDir& dir, std::string& output) {
    return tg::test::run_command({tg::test::host_binary(), "--env-file", env_file, "--state-dir",
                                  (dir.path / "state").string(), "--check-config"},
                                 output);
}

}  // namespace

TEST_CASE("a bot's role: --check-config names every permission it lacks before the first alert") {
    rgtest::Admin admin;
    const std::string project = project_with_bots(admin, "bot-check");
    // An open issue (a leaf) for the workflow to be checked on.
    admin.create_issue(project, "an issue the workflow check looks at");
    rgtest::TempDir restricted_dir, minimal_dir;
    std::string output;
    const int restricted = check_config(
        rgtest::write_env_file(restricted_dir, project, "", rgtest::bot("RESTRICTED").api_key),
        restricted_dir, output);
    std::cout << "--check-config as " << rgtest::bot("RESTRICTED").login << ":\n"
              << output << std::endl;
    INFO(output);
    CHECK(restricted == 1);
    CHECK(output.find("lack manage_subtasks (\\\"Manage subtasks\\\")") != std::string::npos);
    CHECK(output.find("no Root tree") != std::string::npos);
    CHECK(output.find("sink redmine: ") != std::string::npos);
    CHECK(output.find("NOT ok") != std::string::npos);
    CHECK(output.find(rgtest::bot("RESTRICTED").api_key) == std::string::npos);

    const int minimal = check_config(
        rgtest::write_env_file(minimal_dir, project, "", rgtest::bot("MINIMAL").api_key),
        minimal_dir, output);
    INFO(output);
    CHECK(minimal == 0);
    CHECK(output.find("sink redmine: ok") != std::string::npos);
    CHECK(output.find("lack ") == std::string::npos);
}

TEST_CASE(
    "a bot without manage_subtasks: the dropped parent is logged, counted and the alert not "
    "reported delivered") {
    rgtest::Admin admin;
    const std::string project = project_with_bots(admin, "bot-run");
    rgtest::TempDir dir;
    tg::test::HostProcess host(
        {"--env-file", rgtest::write_env_file(dir, project, "", rgtest::bot("RESTRICTED").api_key),
         "--state-dir", (dir.path / "state").string()},
        (dir.path / "host.log").string());
    REQUIRE(host.wait_ready());
    auto metric = [&](const std::string& series) {
        return tg::test::metric_value(tg::test::http_get(host.port(), "/metrics").body, series);
    };
    for (const char* name : {kA, kB}) {
        REQUIRE(tg::test::http_post(host.port(), "/webhook", rgtest::fixture(name)).status == 200);
        REQUIRE(tg::test::eventually([&] { return metric("tickets_grouping_spool_depth") == 0; },
                                     std::chrono::seconds(60)));
    }
    const std::string log = host.log();
    INFO(log);
    // The Root and the hosts exist, but Redmine kept none of them under the Root...
    const int64_t root = rgtest::id_of(admin.find(project, "[Root] [Alert] HighCPU"));
    for (const char* h : {"server01", "server02", "server03"})
        CHECK(admin.parent(rgtest::id_of(
                  admin.find(project, std::string("[Alert] HighCPU (") + h + ")"))) == 0);
    CHECK(root != 0);
    // ... and the sink says so instead of reporting it done.
    CHECK(log.find("lacks the permission manage_subtasks") != std::string::npos);
    CHECK(metric("tickets_grouping_sink_redmine_ignored_fields_total{sink=\"redmine\",field="
                 "\"parent_issue_id\"}") >= 3);  // each alert of b tried again
    CHECK(metric("tickets_grouping_dead_letters") == 1);
    CHECK(log.find("alert delivered route=route alert=\\\"[Alert] HighCPU (server02)") ==
          std::string::npos);
    CHECK(log.find("alert delivered route=route alert=\\\"[Alert] HighCPU (server01)\\\" "
                   "status=firing issue=") != std::string::npos);  // a's own delivery was right
    CHECK(host.terminate() == 0);
}

// Issue 11 (low): "An http:// Redmine URL is accepted without a warning that the key travels in
// clear text."
TEST_CASE(
    "an http:// Redmine URL beyond loopback: --check-config warns that the API key travels "
    "in clear text") {
    rgtest::TempDir dir;
    const std::string env = (dir.path / "remote.env").string();
    tg::test::write_file(env,
                         "REDMINE_URL=http://192.0.2.10:3100\nREDMINE_API_KEY=0123456789abcdef\n"
                         "REDMINE_PROJECT_ID=alerts\nREDMINE_TIMEOUT=1s\n");
    std::string output;
    CHECK(check_config(env, dir, output) == 1);  // TEST-NET-1: nothing answers
    INFO(output);
    CHECK(output.find("url: 'http://192.0.2.10:3100' is http://: the API key travels in clear "
                      "text to that host; use https://") != std::string::npos);
    CHECK(output.find("level=warn") != std::string::npos);
    CHECK(output.find("0123456789abcdef") == std::string::npos);
}
