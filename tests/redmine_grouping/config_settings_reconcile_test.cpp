// The reconcile settings (config_settings_reconcile.cpp): Alertmanager's URLs and credentials,
// from the routing file or the REDMINE_* env file, and the grace that follows the schedule.
#include "config.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

using namespace tg::redmine;
using Catch::Matchers::Contains;

namespace {

Config parsed(const std::string& json, std::map<std::string, std::string> more = {}) {
    std::map<std::string, std::string> vars{{"REDMINE_URL", "http://127.0.0.1:3100"},
                                            {"REDMINE_API_KEY", "0123456789abcdef"},
                                            {"REDMINE_PROJECT_ID", "alerts"}};
    for (auto& [k, v] : more) vars[k] = v;
    return parse_config(json, [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
}

struct TempFile {
    std::string path;
    explicit TempFile(const std::string& content, const std::string& name = "secret")
        : path((std::filesystem::temp_directory_path() /
                ("tg-rc-" + name + "-" + std::to_string(::getpid())))
                   .string()) {
        std::ofstream(path) << content;
    }
    ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("reconcile is off without alertmanager_url, 10 minutes and a 20 minute grace with it",
          "[config][reconcile]") {
    const Config off = parsed("{}");
    CHECK(off.alertmanager.urls.empty());
    const Config on = parsed(R"({"alertmanager_url":"http://am:9093/"})");
    CHECK(on.alertmanager.urls == std::vector<std::string>{"http://am:9093"});
    CHECK(on.reconcile_schedule == "*/10 * * * *");
    CHECK(on.reconcile_grace == std::chrono::minutes(20));
    CHECK(parsed(R"({"alertmanager_url":"http://am:9093","reconcile_schedule":"0 * * * *"})")
              .reconcile_grace == std::chrono::hours(2));
    CHECK(
        parsed(R"({"alertmanager_url":"http://am:9093","reconcile_grace":"0s"})").reconcile_grace ==
        std::chrono::seconds(0));
}

TEST_CASE("an HA pair from the routing file's list or the env file's commas",
          "[config][reconcile]") {
    const std::vector<std::string> pair{"http://am1:9093", "https://am2:9093/prefix"};
    CHECK(parsed(R"({"alertmanager_url":["http://am1:9093","https://am2:9093/prefix"]})")
              .alertmanager.urls == pair);
    const Config env =
        parsed("{}", {{"REDMINE_ALERTMANAGER_URL", "http://am1:9093, https://am2:9093/prefix"},
                      {"REDMINE_RECONCILE_GRACE", "45m"}});
    CHECK(env.alertmanager.urls == pair);
    CHECK(env.reconcile_grace == std::chrono::minutes(45));
}

TEST_CASE("credentials from files, checked at start, never in a message", "[config][reconcile]") {
    TempFile token("t0ken-value\n");
    const Config c =
        parsed(R"({"alertmanager_url":"https://am:9093","alertmanager_bearer_token_file":")" +
               token.path + R"("})");
    CHECK(c.alertmanager.bearer_token_file == token.path);
    CHECK(c.warnings.empty());
    // In clear text to another machine: a warning.
    const Config clear = parsed("{}", {{"REDMINE_ALERTMANAGER_URL", "http://am.example:9093"},
                                       {"REDMINE_ALERTMANAGER_BASIC_USERNAME", "router"},
                                       {"REDMINE_ALERTMANAGER_BASIC_PASSWORD_FILE", token.path}});
    REQUIRE(clear.warnings.size() == 1);
    CHECK_THAT(clear.warnings[0], Contains("clear text") && !Contains("t0ken"));
}

TEST_CASE("reconcile settings' errors name the key", "[config][reconcile]") {
    TempFile token("t0ken-value");
    TempFile empty("", "empty");
    const auto fails = [](const std::string& json, const std::string& key, const std::string& why) {
        INFO(json);
        try {
            parsed(json);
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            CHECK_THAT(e.what(), Contains("'" + key + "'") && Contains(why) && !Contains("t0ken"));
        }
    };
    fails(R"({"alertmanager_url":"ftp://am"})", "alertmanager_url", "http://");
    fails(R"({"alertmanager_url":"http://user:pw@am:9093"})", "alertmanager_url", "credentials");
    fails(R"({"alertmanager_url":["http://am:9093","http://am:9093/"]})", "alertmanager_url",
          "twice");
    fails(
        R"({"alertmanager_url":"http://am:9093","alertmanager_bearer_token_file":"/nonexistent"})",
        "alertmanager_bearer_token_file", "cannot read");
    fails(R"({"alertmanager_url":"http://am:9093","alertmanager_bearer_token_file":")" +
              empty.path + R"("})",
          "alertmanager_bearer_token_file", "empty");
    fails(R"({"alertmanager_url":"http://am:9093","alertmanager_basic_username":"u"})",
          "alertmanager_basic_password_file", "both");
    fails(R"({"alertmanager_bearer_token_file":")" + token.path + R"("})",
          "alertmanager_basic_password_file", "alertmanager_url is not");
    fails(R"({"alertmanager_url":"http://am:9093","alertmanager_bearer_token_file":")" +
              token.path +
              R"(","alertmanager_basic_username":"u","alertmanager_basic_password_file":")" +
              token.path + R"("})",
          "alertmanager_basic_password_file", "not both");
    fails(R"({"alertmanager_url":"http://am:9093","reconcile_schedule":"61 * * * *"})",
          "reconcile_schedule", "");
    fails(R"({"alertmanager_url":"http://am:9093","reconcile_grace":"soon"})", "reconcile_grace",
          "");
}
