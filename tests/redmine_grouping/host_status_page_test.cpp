// Issue 14 §3 in a real browser: a host on the real Redmine with one dead letter (a custom field
// made required refuses the ticket, as in host_dead_letters_test.cpp) and one ticket made once
// the field is optional again. Headless Chromium loads GET /: the rendered DOM holds the dead
// letter's reason (Redmine's text, naming the field) and a link to the real ticket; a
// screenshot of the page goes into the test's output directory.
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>

namespace {

std::string alert(const std::string& alertname, const std::string& instance) {
    return R"({"alerts":[{"labels":{"alertname":")" + alertname + R"(","instance":")" + instance +
           R"("},"annotations":{"description":"status page: )" + instance + R"("}}]})";
}

// Headless Chromium with the flags redmine_rendering.cpp drives it with: a new profile, nothing
// fetched but the page.
int chromium(const std::vector<std::string>& extra, std::string& output) {
    rgtest::TempDir profile;
    std::vector<std::string> argv{"chromium",
                                  "--headless",
                                  "--no-sandbox",
                                  "--disable-gpu",
                                  "--disable-quic",
                                  "--no-first-run",
                                  "--disable-background-networking",
                                  "--disable-component-update",
                                  "--disable-sync",
                                  "--user-data-dir=" + profile.path.string(),
                                  "--hide-scrollbars"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return tg::test::run_command(argv, output);
}

}  // namespace

TEST_CASE(
    "issue 14: the status page in headless Chromium shows a dead letter's reason and a link to "
    "the real Redmine ticket",
    "[rails]") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("status-page");
    const std::string field = rgtest::set_required_field(project, true);

    rgtest::TempDir dir;
    const std::string env = rgtest::write_env_file(dir, project);
    tg::test::HostProcess host({"--env-file", env, "--state-dir", (dir.path / "state").string()},
                               (dir.path / "host.log").string());
    REQUIRE(host.wait_ready());
    REQUIRE(tg::test::http_post(host.port(), "/webhook", alert("StatusPageRefused", "server01"))
                .status == 200);
    REQUIRE(tg::test::eventually(
        [&] {
            return tg::test::metric_value(tg::test::http_get(host.port(), "/metrics").body,
                                          "tickets_grouping_dead_letters") == 1;
        },
        std::chrono::seconds(60)));
    rgtest::set_required_field(project, false);
    REQUIRE(tg::test::http_post(host.port(), "/webhook", alert("StatusPageTicket", "server02"))
                .status == 200);
    REQUIRE(tg::test::eventually([&] { return admin.issues(project).size() == 1; },
                                 std::chrono::seconds(60)));
    const int64_t issue = admin.issues(project).front()->getValue<int64_t>("id");
    const std::string ticket_url = rgtest::redmine_env().url + "/issues/" + std::to_string(issue);
    REQUIRE(tg::test::eventually([&] {
        return tg::test::http_get(host.port(), "/").body.find(ticket_url) != std::string::npos;
    }));

    const std::string page = "http://127.0.0.1:" + std::to_string(host.port()) + "/";
    std::string dom;
    REQUIRE(chromium({"--dump-dom", page}, dom) == 0);
    INFO(dom);
    CHECK(dom.find("class=\"err dead-letter-reason\"") != std::string::npos);
    CHECK(dom.find(field) != std::string::npos);  // Redmine's 422 text names the field
    CHECK(dom.find("href=\"" + ticket_url + "\"") != std::string::npos);
    CHECK(dom.find("#" + std::to_string(issue) + " [Alert] StatusPageTicket (server02)") !=
          std::string::npos);

    const std::filesystem::path output = TG_RG_STATUS_PAGE_DIR;
    std::filesystem::create_directories(output);
    const std::filesystem::path png = output / "status_page.png";
    std::filesystem::remove(png);
    std::string shot;
    CHECK(chromium({"--window-size=1200,1600", "--screenshot=" + png.string(), page}, shot) == 0);
    INFO(shot);
    REQUIRE(std::filesystem::exists(png));
    CHECK(std::filesystem::file_size(png) > 10000);  // a page, not a blank
    std::cout << "status page screenshot: " << png.string() << std::endl;
    CHECK(host.terminate() == 0);
}
