// Issue 14 §1 with a real cause: a custom field made required in the real Redmine refuses the
// sink's tickets (422), the alerts go to the dead letters with Redmine's text as the reason;
// `dead-letters list` and `show` tell them, and once the field is optional again
// `dead-letters retry --all` beside the running host makes each ticket exactly once (after a
// `retry --all --dry-run` that moves nothing and says what the sink would do).
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

#include <set>

namespace {

int64_t dead_letter_gauge(int port) {
    return tg::test::metric_value(tg::test::http_get(port, "/metrics").body,
                                  "tickets_grouping_dead_letters");
}

std::string alert(const std::string& instance) {
    return R"({"alerts":[{"labels":{"alertname":"DeadLetterCheck","instance":")" + instance +
           R"("},"annotations":{"description":"dead letters: )" + instance + R"("}}]})";
}

}  // namespace

TEST_CASE(
    "issue 14: tickets Redmine refused for a required custom field are dead-lettered with its "
    "text, and once the field is optional again dead-letters retry --all makes each ticket once",
    "[rails]") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("dead-letters");
    const std::string field = rgtest::set_required_field(project, true);

    rgtest::TempDir dir;
    const std::string env = rgtest::write_env_file(dir, project);
    const std::string state = (dir.path / "state").string();
    tg::test::HostProcess host({"--env-file", env, "--state-dir", state},
                               (dir.path / "host.log").string());
    REQUIRE(host.wait_ready());
    REQUIRE(tg::test::http_post(host.port(), "/webhook", alert("server01")).status == 200);
    REQUIRE(tg::test::http_post(host.port(), "/webhook", alert("server02")).status == 200);
    REQUIRE(tg::test::eventually([&] { return dead_letter_gauge(host.port()) == 2; },
                                 std::chrono::seconds(60)));
    CHECK(admin.issues(project).empty());
    // Per sink, and on /readyz: a dead letter is not unreadiness, but it is counted.
    CHECK(tg::test::metric_value(tg::test::http_get(host.port(), "/metrics").body,
                                 "tickets_grouping_queue_dead_letters{sink=\"redmine\"}") == 2);
    const auto ready = tg::test::http_get(host.port(), "/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body == R"({"dead_letters":2,"status":"ok"})");

    auto command = [&](std::vector<std::string> words, std::string& output) {
        std::vector<std::string> argv{tg::test::host_binary(), "--env-file", env,
                                      "--state-dir",           state,        "dead-letters"};
        argv.insert(argv.end(), words.begin(), words.end());
        return tg::test::run_command(argv, output);
    };
    std::string listed;
    CHECK(command({"list"}, listed) == 0);
    INFO(listed);
    CHECK(listed.find("2 × ") != std::string::npos);  // one reason, both alerts
    CHECK(listed.find(field) != std::string::npos);   // Redmine's own text names the field
    CHECK(listed.find("DeadLetterCheck") != std::string::npos);

    std::string json;
    REQUIRE(command({"list", "--json", "--sink", "redmine"}, json) == 0);
    const auto letters = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
    REQUIRE(letters->size() == 2);
    const auto first = letters->getObject(0);
    CHECK(first->getValue<std::string>("sink") == "redmine");
    CHECK(first->getValue<std::string>("reason").find(field) != std::string::npos);
    CHECK(first->getArray("alertnames")->getElement<std::string>(0) == "DeadLetterCheck");

    std::string shown;
    CHECK(command({"show", std::to_string(first->getValue<int64_t>("id"))}, shown) == 0);
    CHECK(shown.find("\"server01\"") != std::string::npos);  // the whole body
    CHECK(shown.find("attempts: 1") != std::string::npos);
    // The history of its attempts, each with Redmine's own text (here the one refusal).
    const size_t history = shown.find("history (1 of 1 attempt):\n  1  ");
    CHECK(history != std::string::npos);
    CHECK(shown.find(field, history) != std::string::npos);

    // A dry run of the retry, in the running host: what the sink would do, nothing moved.
    std::string dry;
    CHECK(command({"retry", "--all", "--dry-run"}, dry) == 0);
    INFO(dry);
    CHECK(dry.find("2 dead letter(s) tried as a dry run, none moved") != std::string::npos);
    CHECK(dry.find("(Root '[Root] [Alert] DeadLetterCheck'): create the ticket") !=
          std::string::npos);
    CHECK(dry.find("would POST /issues.json (create '[Alert] DeadLetterCheck (server02)')") !=
          std::string::npos);
    CHECK(dead_letter_gauge(host.port()) == 2);
    CHECK(admin.issues(project).empty());
    CHECK(host.log().find("a dead letter's dry run on request") != std::string::npos);

    rgtest::set_required_field(project, false);
    std::string retried;
    CHECK(command({"retry", "--all"}, retried) == 0);
    CHECK(retried.find("2 dead letter(s) back in their sink's queue") != std::string::npos);
    REQUIRE(tg::test::eventually([&] { return admin.issues(project).size() == 3; },
                                 std::chrono::seconds(60)));
    CHECK(tg::test::eventually([&] { return dead_letter_gauge(host.port()) == 0; }));
    CHECK(tg::test::metric_value(tg::test::http_get(host.port(), "/metrics").body,
                                 "tickets_grouping_queue_dead_letters{sink=\"redmine\"}") == 0);
    CHECK(tg::test::http_get(host.port(), "/readyz").body == R"({"status":"ok"})");
    std::string again;
    CHECK(command({"retry", "--all"}, again) == 0);
    CHECK(again.find("0 dead letter(s)") != std::string::npos);

    std::multiset<std::string> subjects;
    for (const auto& issue : admin.issues(project))
        subjects.insert(issue->getValue<std::string>("subject"));
    CHECK(subjects == std::multiset<std::string>{"[Alert] DeadLetterCheck (server01)",
                                                 "[Alert] DeadLetterCheck (server02)",
                                                 "[Root] [Alert] DeadLetterCheck"});
    CHECK(host.terminate() == 0);
}
