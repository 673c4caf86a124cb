// Issue 14 §2 against the real Redmine: `routes test` says where an alert would go and what each
// sink would do with it now (create, join the Root, a repeat that writes nothing), reading the
// sink's state and Redmine without changing either, with no host running and beside one; --file
// checks a batch of cases and exits 1 on a mismatch.
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

namespace {

std::string alert(const std::string& instance) {
    return R"({"alerts":[{"labels":{"alertname":"RoutesCheck","instance":")" + instance +
           R"("},"annotations":{"description":"routes test: )" + instance + R"("}}]})";
}

}  // namespace

TEST_CASE(
    "issue 14: routes test names the route, the sinks and each Redmine action, changes nothing, "
    "and --file fails on a mismatch") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("routes-test");
    rgtest::TempDir dir;
    const std::string env = rgtest::write_env_file(dir, project);
    const std::string state = (dir.path / "state").string();
    const std::string routes = (dir.path / "routes.yaml").string();
    const std::string out_log = (dir.path / "info.log").string();
    tg::test::write_file(routes,
                         "sinks:\n"
                         "  redmine:\n"
                         "    plugin: redmine_grouping\n"
                         "    config: {project: " +
                             project +
                             "}\n"
                             "  infos:\n"
                             "    plugin: log_sink\n"
                             "    config: {path: " +
                             out_log +
                             "}\n"
                             "route:\n"
                             "  sink: redmine\n"
                             "  routes:\n"
                             "    - matchers: ['severity = \"info\"']\n"
                             "      sink: infos\n");
    auto routes_test = [&](std::vector<std::string> words, std::string& output) {
        std::vector<std::string> argv{
            tg::test::host_binary(), "--config", routes,   "--env-file", env,
            "--state-dir",           state,      "routes", "test"};
        argv.insert(argv.end(), words.begin(), words.end());
        return tg::test::run_command(argv, output);
    };

    // No host running: the command holds the state directory itself.
    std::string first;
    CHECK(routes_test({"alertname=RoutesCheck", "instance=db1"}, first) == 0);
    INFO(first);
    CHECK(first.find("alert {alertname=\"RoutesCheck\", instance=\"db1\"}") != std::string::npos);
    CHECK(first.find("sink redmine (route route): ok") != std::string::npos);
    CHECK(first.find("(Root '[Root] [Alert] RoutesCheck'): create the ticket\n") !=
          std::string::npos);
    CHECK(first.find("would POST /issues.json (create '[Alert] RoutesCheck (db1)')") !=
          std::string::npos);
    CHECK(first.find("sink infos") == std::string::npos);
    std::string info;
    CHECK(routes_test({"alertname=RoutesCheck", "instance=db1", "severity=info"}, info) == 0);
    CHECK(info.find("sink infos (route route.routes[0]): ok") != std::string::npos);
    CHECK(info.find("sink redmine") == std::string::npos);
    CHECK(admin.issues(project).empty());
    CHECK((!std::filesystem::exists(out_log) || std::filesystem::file_size(out_log) == 0));

    // Beside a running host that made db1's ticket: the command runs in that host.
    tg::test::HostProcess host({"--config", routes, "--env-file", env, "--state-dir", state},
                               (dir.path / "host.log").string());
    REQUIRE(host.wait_ready());
    REQUIRE(tg::test::http_post(host.port(), "/webhook", alert("db1")).status == 200);
    REQUIRE(tg::test::eventually([&] { return admin.issues(project).size() == 1; },
                                 std::chrono::seconds(60)));
    const int64_t db1 =
        admin.find(project, "[Alert] RoutesCheck (db1)")->getValue<Poco::Int64>("id");
    std::string repeat, second;
    CHECK(routes_test({"alertname=RoutesCheck", "instance=db1"}, repeat) == 0);
    CHECK(routes_test({"alertname=RoutesCheck", "instance=db2"}, second) == 0);
    INFO(repeat << "\n" << second);
    CHECK(repeat.find("'[Alert] RoutesCheck (db1)' (Root '[Root] [Alert] RoutesCheck'): nothing") !=
          std::string::npos);
    CHECK(second.find("create the Root, #" + std::to_string(db1) +
                      " joins the Root, create the ticket under the Root") != std::string::npos);
    CHECK(admin.issues(project).size() == 1);
    CHECK(admin.parent(db1) == 0);

    // A batch: two cases as expected, one not (its line named); then all as expected.
    const std::string cases = (dir.path / "cases.yaml").string();
    tg::test::write_file(cases,
                         "cases:\n"
                         "  - labels: {alertname: RoutesCheck, instance: db2}\n"
                         "    sinks: [redmine]\n"
                         "    says: {redmine: create the Root}\n"
                         "  - labels: {alertname: RoutesCheck, instance: db3, severity: info}\n"
                         "    sinks: [infos]\n"
                         "  - labels: {alertname: RoutesCheck, instance: db1}\n"
                         "    says: {redmine: create the ticket}\n");
    std::string batch;
    CHECK(routes_test({"--file", cases}, batch) == 1);
    INFO(batch);
    CHECK(batch.find("ok       " + cases + ":2 {alertname=\"RoutesCheck\", instance=\"db2\"}") !=
          std::string::npos);
    CHECK(batch.find("ok       " + cases + ":5") != std::string::npos);
    CHECK(batch.find("MISMATCH " + cases + ":7") != std::string::npos);
    CHECK(batch.find("expected redmine to say \"create the ticket\"") != std::string::npos);
    CHECK(batch.find("2 of 3 cases as expected") != std::string::npos);
    tg::test::write_file(cases,
                         "cases:\n"
                         "  - labels: {alertname: RoutesCheck, instance: db1}\n"
                         "    sinks: [redmine]\n"
                         "    says: {redmine: nothing}\n");
    std::string passing;
    CHECK(routes_test({"--file", cases}, passing) == 0);
    CHECK(passing.find("1 of 1 cases as expected") != std::string::npos);
    std::string bad;
    CHECK(routes_test({"alertname"}, bad) == 2);
    CHECK(bad.find("'alertname' is not LABEL=VALUE") != std::string::npos);
    tg::test::write_file(cases, "cases:\n  - labels: {alertname: X}\n    sink: [redmine]\n");
    CHECK(routes_test({"--file", cases}, bad) == 1);
    CHECK(bad.find(cases + ":3: cases[0].sink: unknown key (labels, sinks, says)") !=
          std::string::npos);
    CHECK(admin.issues(project).size() == 1);
    CHECK(host.terminate() == 0);
}
