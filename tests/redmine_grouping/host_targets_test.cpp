// Per-route Redmine targets through the real host: two instances of the sink with their own
// `config:` (project, tracker, language) behind one routing tree. Each groups on its own: a
// Root appears in a project only when its own alerts fire on a second host.
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace {

// No project or tracker: each route's sink gives its own.
std::string env_file(const rgtest::TempDir& dir) {
    std::string text;
    for (const char* key : {"REDMINE_URL", "REDMINE_API_KEY", "REDMINE_STATUS_DONE"})
        text += std::string(key) + "=" + rgtest::redmine_env().vars.at(key) + "\n";
    const std::string path = (dir.path / "redmine.env").string();
    tg::test::write_file(path, text);
    return path;
}

std::string alert(const std::string& instance, const std::string& team) {
    return R"({"status":"firing","labels":{"alertname":"HighCPU","instance":")" + instance +
           R"(","team":")" + team + R"("},"startsAt":"2026-11-27T07:51:27Z"})";
}

std::string notification(const std::vector<std::string>& alerts) {
    std::string out = R"({"alerts":[)";
    for (size_t i = 0; i < alerts.size(); ++i) out += (i ? "," : "") + alerts[i];
    return out + "]}";
}

int64_t tracker_of(rgtest::Admin& admin, const Poco::JSON::Object::Ptr& issue) {
    return admin.issue(issue->getValue<Poco::Int64>("id"))
        ->getObject("tracker")
        ->getValue<Poco::Int64>("id");
}

}  // namespace

TEST_CASE("two sink instances route to two projects and trackers, each grouping on its own") {
    rgtest::Admin admin;
    const std::string project_a = admin.create_project("target-a");
    const std::string project_b = admin.create_project("target-b");
    auto trackers = admin.client().get("/trackers.json")->getArray("trackers");
    REQUIRE(trackers->size() >= 2);
    const int64_t tracker_a = trackers->getObject(0)->getValue<Poco::Int64>("id");
    const int64_t tracker_b = trackers->getObject(1)->getValue<Poco::Int64>("id");

    rgtest::TempDir dir;
    const std::string routes =
        "sinks:\n"
        "  team_a:\n"
        "    plugin: redmine_grouping\n"
        "    config:\n"
        "      project: " +
        project_a + "\n      tracker_id: " + std::to_string(tracker_a) +
        "\n      time_zone: Asia/Tokyo\n"
        "  team_b:\n"
        "    plugin: redmine_grouping\n"
        "    config:\n"
        "      project: " +
        project_b + "\n      tracker_id: " + std::to_string(tracker_b) +
        "\n      time_zone: Asia/Tokyo\n"
        "      language: en\n"
        "      custom_fields: {" +
        std::to_string(rgtest::fixture_id("CF_NOT_ENABLED")) +
        ": dropped}\n"
        "route:\n"
        "  sink: team_a\n"
        "  routes:\n"
        "    - matchers: ['team = \"b\"']\n"
        "      sink: team_b\n";
    tg::test::write_file((dir.path / "routes.yaml").string(), routes);
    tg::test::HostProcess host({"--config", (dir.path / "routes.yaml").string(), "--env-file",
                                env_file(dir), "--state-dir", (dir.path / "state").string()},
                               (dir.path / "host.log").string());
    REQUIRE(host.wait_ready());
    INFO(host.log());

    auto post = [&](const std::string& body) {
        REQUIRE(tg::test::http_post(host.port(), "/webhook", body).status == 200);
    };
    // One alertname, three hosts: two for team a, one for team b.
    post(notification({alert("server01", "a"), alert("server02", "a"), alert("server03", "b")}));
    REQUIRE(tg::test::eventually([&] { return admin.issues(project_a).size() == 3; },
                                 std::chrono::seconds(60)));
    REQUIRE(tg::test::eventually([&] { return admin.issues(project_b).size() == 1; },
                                 std::chrono::seconds(60)));
    const auto root_a = admin.find(project_a, "[Root] [Alert] HighCPU");
    const int64_t root_a_id = root_a->getValue<Poco::Int64>("id");
    for (const char* h : {"server01", "server02"})
        CHECK(admin.parent(admin.find(project_a, std::string("[Alert] HighCPU (") + h + ")")
                               ->getValue<Poco::Int64>("id")) == root_a_id);
    // Team b's single host is not pulled into team a's Root, and has no Root of its own yet.
    const auto server03 = admin.find(project_b, "[Alert] HighCPU (server03)");
    CHECK(admin.parent(server03->getValue<Poco::Int64>("id")) == 0);
    CHECK(tracker_of(admin, root_a) == tracker_a);
    CHECK(tracker_of(admin, server03) == tracker_b);

    // Team b's second host: a Root in project b, with b's tracker and language.
    post(notification({alert("server04", "b")}));
    REQUIRE(tg::test::eventually([&] { return admin.issues(project_b).size() == 3; },
                                 std::chrono::seconds(60)));
    const auto root_b = admin.find(project_b, "[Root] [Alert] HighCPU");
    const int64_t root_b_id = root_b->getValue<Poco::Int64>("id");
    CHECK(admin.parent(server03->getValue<Poco::Int64>("id")) == root_b_id);
    CHECK(tracker_of(admin, root_b) == tracker_b);
    CHECK(admin.issue(root_b_id)->getValue<std::string>("description").rfind("Alert HighCPU", 0) ==
          0);
    CHECK(admin.issues(project_a).size() == 3);  // nothing of team b's reached project a

    // Team b's custom field is enabled for no project: Redmine dropped it from its three issues.
    const std::string metrics = tg::test::http_get(host.port(), "/metrics").body;
    CHECK(metrics.find("tickets_grouping_sink_redmine_ignored_fields_total{sink=\"team_b\",field="
                       "\"custom_fields." +
                       std::to_string(rgtest::fixture_id("CF_NOT_ENABLED")) + "\"} 3\n") !=
          std::string::npos);
    CHECK(metrics.find("ignored_fields_total{sink=\"team_a\"") == std::string::npos);
}

TEST_CASE("etc/routes.yaml passes --check-config, a broken template fails it naming the setting") {
    rgtest::TempDir dir;
    // The example's audit sink writes under /var/lib/tickets-grouping: point it at the test's dir.
    std::ifstream in(std::string(TG_RG_SOURCE_DIR) + "/../../etc/routes.yaml");
    REQUIRE(in);
    std::stringstream example;
    example << in.rdbuf();
    std::string text = example.str();
    const std::string audit = "/var/lib/tickets-grouping/alerts.jsonl";
    REQUIRE(text.find(audit) != std::string::npos);
    text.replace(text.find(audit), audit.size(), (dir.path / "alerts.jsonl").string());
    tg::test::write_file((dir.path / "routes.yaml").string(), text);
    const std::string env = (dir.path / "redmine.env").string();
    std::string vars;  // the operators' env file: the example expands ${REDMINE_*}
    for (const auto& [name, value] : rgtest::redmine_env().vars) vars += name + "=" + value + "\n";
    tg::test::write_file(env, vars);
    std::string output;
    const int status = tg::test::run_command(
        {tg::test::host_binary(), "--config", (dir.path / "routes.yaml").string(), "--env-file",
         env, "--state-dir", (dir.path / "state").string(), "--check-config"},
        output);
    INFO(output);
    CHECK(status == 0);
    CHECK(output.find("sink redmine: ok") != std::string::npos);
    CHECK(output.find("sink redmine_k8s: ok") != std::string::npos);

    tg::test::write_file((dir.path / "bad.yaml").string(),
                         "sinks:\n  r:\n    plugin: redmine_grouping\n    config:\n"
                         "      templates:\n        resolved_note: \"{{#labels}}open\"\n"
                         "route:\n  sink: r\n");
    CHECK(tg::test::run_command(
              {tg::test::host_binary(), "--config", (dir.path / "bad.yaml").string(), "--env-file",
               env, "--state-dir", (dir.path / "state").string(), "--check-config"},
              output) != 0);
    CHECK(output.find("'templates.resolved_note': bad template") != std::string::npos);
}
