#include "config.hpp"
#include "config_settings.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace tg::redmine;
using Catch::Matchers::Contains;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
const std::map<std::string, std::string> kEnv{{"REDMINE_URL", "http://127.0.0.1:3100/"},
                                              {"REDMINE_API_KEY", "0123456789abcdef"},
                                              {"REDMINE_PROJECT_ID", "alerts"},
                                              {"REDMINE_TRACKER_ID", "1"},
                                              {"REDMINE_STATUS_DONE", "5"},
                                              {"REDMINE_STATUS_CARRYOVER", "持ち越し"}};
}  // namespace

TEST_CASE("an existing env file works unchanged", "[config]") {
    Config c = parse_config("{}", env_of(kEnv));
    CHECK(c.url == "http://127.0.0.1:3100");
    CHECK(c.api_key == "0123456789abcdef");
    CHECK(c.project == "alerts");
    CHECK(c.tracker_id == 1);
    CHECK(c.status_done.id == 5);
    CHECK(c.status_carryover.name == "持ち越し");
    CHECK(c.carry_over_schedule == "0 9 * * *");
    CHECK_FALSE(c.close_on_resolve);
    CHECK(c.reopen_window.count() == 0);
    CHECK(c.tls_verify);
    CHECK(c.timeout == std::chrono::seconds(30));
    CHECK(c.text_formatting == TextFormat::automatic);  // Redmine's own, once seen
    CHECK(c.warnings.empty());                          // loopback http://
    CHECK_FALSE(c.time_zone.empty());
    CHECK(parse_config("", env_of(kEnv)).project == "alerts");
    // `key:` left empty in YAML reaches the sink as null: the variable applies.
    CHECK(parse_config(R"({"project":null,"status_done":null})", env_of(kEnv)).status_done.id == 5);
}

TEST_CASE("config keys win over the env and are typed", "[config]") {
    Config c =
        parse_config(R"({"url":"https://redmine.example.invalid/redmine","project":7,"tracker_id":3,
        "status_done":"終了","status_carryover":7,"time_zone":"Asia/Tokyo","carry_over_schedule":"30 8 * * 1-5",
        "close_on_resolve":true,"reopen_window":"72h","tls_verify":false,"timeout":"1m30s","text_formatting":"common_mark"})",
                     env_of(kEnv));
    CHECK(c.url == "https://redmine.example.invalid/redmine");
    CHECK(c.project == "7");
    CHECK(c.tracker_id == 3);
    CHECK(c.status_done.name == "終了");
    CHECK(c.status_carryover.id == 7);
    CHECK(c.time_zone == "Asia/Tokyo");
    CHECK(c.carry_over_schedule == "30 8 * * 1-5");
    CHECK(c.close_on_resolve);
    CHECK(c.reopen_window == std::chrono::hours(72));
    CHECK_FALSE(c.tls_verify);
    CHECK(c.timeout == std::chrono::seconds(90));
    CHECK(c.text_formatting == TextFormat::common_mark);
}

TEST_CASE("errors name the key", "[config]") {
    auto fails = [](const std::string& json, const std::string& key,
                    std::map<std::string, std::string> env = kEnv) {
        INFO(json);
        CHECK_THROWS_WITH(parse_config(json, env_of(env)), Contains("'" + key + "'"));
    };
    fails(R"({"nope":1})", "nope");
    fails(R"({"url":5})", "url");
    fails(R"({"url":"ftp://x"})", "url");
    fails(R"({"url":"http://user:pw@x"})", "url");
    fails(R"({"tracker_id":"abc"})", "tracker_id");
    fails(R"({"tracker_id":true})", "tracker_id");
    fails(R"({"close_on_resolve":"yes"})", "close_on_resolve");
    fails(R"({"reopen_window":"3 days"})", "reopen_window");
    fails(R"({"timeout":"0"})", "timeout");
    fails(R"({"time_zone":"Mars/Olympus"})", "time_zone");
    fails(R"({"carry_over_schedule":"0 9 * *"})", "carry_over_schedule");
    fails(R"({"text_formatting":"html"})", "text_formatting");
    fails(R"({"ca_file":"/nonexistent/ca.pem"})", "ca_file");
    fails(R"({"status_done":[1]})", "status_done");
    fails("{}", "url", {});
    fails("{}", "api_key", {{"REDMINE_URL", "http://x"}});
    fails("{}", "project", {{"REDMINE_URL", "http://x"}, {"REDMINE_API_KEY", "k"}});
    fails(R"({"close_on_resolve":true})", "status_done",
          {{"REDMINE_URL", "http://x"}, {"REDMINE_API_KEY", "k"}, {"REDMINE_PROJECT_ID", "p"}});
    fails(R"({"api_key":"a","api_key_file":"/etc/hostname"})", "api_key_file");
    CHECK_THROWS_AS(parse_config("[1]", env_of(kEnv)), std::invalid_argument);
    CHECK_THROWS_AS(parse_config("{", env_of(kEnv)), std::invalid_argument);
}

TEST_CASE("the API key never appears in an error message", "[config]") {
    try {
        parse_config(R"({"api_key":"secret key with spaces"})", env_of(kEnv));
        FAIL("expected an error");
    } catch (const std::invalid_argument& e) {
        CHECK_THAT(e.what(), Contains("api_key"));
        CHECK_THAT(e.what(), !Contains("secret"));
    }
}

TEST_CASE("api_key_file", "[config]") {
    const auto path = std::filesystem::temp_directory_path() / "rg_test_api_key";
    std::ofstream(path) << "  filekey123\n";
    Config c = parse_config(R"({"api_key_file":")" + path.string() + "\"}", env_of(kEnv));
    CHECK(c.api_key == "filekey123");
    std::filesystem::remove(path);
}

// One duration parser and one cron reading for the host and the sink (common/time): the routing
// file's syntax (y and w included, overflow checked) and the schedule the host will run.
TEST_CASE("durations and schedules read as the host reads them", "[config]") {
    auto with = [](const std::string& json) { return parse_config(json, env_of(kEnv)); };
    CHECK(with(R"({"reopen_window":"2w"})").reopen_window == std::chrono::hours(14 * 24));
    CHECK(with(R"({"reopen_window":"1y"})").reopen_window == std::chrono::hours(365 * 24));
    CHECK(with(R"({"reopen_window":" 1h30m "})").reopen_window == std::chrono::minutes(90));
    CHECK(with(R"({"timeout":"500ms"})").timeout == std::chrono::milliseconds(500));
    auto env = kEnv;
    env["REDMINE_REOPEN_WINDOW"] = "2w";
    CHECK(parse_config("{}", env_of(env)).reopen_window == std::chrono::hours(14 * 24));

    CHECK_THROWS_WITH(with(R"({"reopen_window":"999999999999d"})"),
                      Contains("'reopen_window'") && Contains("too large"));
    CHECK_THROWS_WITH(with(R"({"reopen_window":"30m1h"})"), Contains("largest first"));
    CHECK_THROWS_WITH(with(R"({"timeout":"300000000d"})"), Contains("'timeout'"));
    CHECK_THROWS_WITH(with(R"({"timeout":"2d"})"), Contains("at most 24h"));

    CHECK(with(R"({"carry_over_schedule":"0 9 * * MON-FRI"})").carry_over_schedule ==
          "0 9 * * MON-FRI");
    // Passed the old character check, refused by the host's scheduler only at start.
    for (const char* bad : {"61 9 * * *", "0 9 * * 1-9", "0 9 * * xyz", "0 9 32 * *"}) {
        INFO(bad);
        CHECK_THROWS_WITH(with(std::string(R"({"carry_over_schedule":")") + bad + "\"}"),
                          Contains("'carry_over_schedule'") && Contains("invalid cron schedule"));
    }
}

TEST_CASE("text_formatting: auto by default, markdown is common_mark with a warning", "[config]") {
    auto format = [](const std::string& value) {
        return parse_config(R"({"text_formatting":")" + value + "\"}", env_of(kEnv));
    };
    CHECK(format("auto").text_formatting == TextFormat::automatic);
    CHECK(format("textile").text_formatting == TextFormat::textile);
    CHECK(format("common_mark").warnings.empty());
    const Config markdown = format("markdown");
    CHECK(markdown.text_formatting == TextFormat::common_mark);
    REQUIRE(markdown.warnings.size() == 1);
    CHECK_THAT(markdown.warnings[0], Contains("text_formatting: 'markdown'"));
    CHECK_THAT(markdown.warnings[0], Contains("common_mark"));
    auto env = kEnv;
    env["REDMINE_TEXT_FORMATTING"] = "markdown";
    CHECK(parse_config("{}", env_of(env)).text_formatting == TextFormat::common_mark);
}

// Issue 11: "An http:// Redmine URL is accepted without a warning that the key travels in
// clear text".
TEST_CASE("an http:// Redmine URL beyond loopback warns that the API key travels in clear text",
          "[config]") {
    auto warnings = [](const std::string& url) {
        auto env = kEnv;
        env["REDMINE_URL"] = url;
        return parse_config("{}", env_of(env)).warnings;
    };
    const auto remote = warnings("http://redmine.example.com/redmine");
    REQUIRE(remote.size() == 1);
    CHECK_THAT(remote[0], Contains("url: 'http://redmine.example.com/redmine'"));
    CHECK_THAT(remote[0], Contains("API key travels in clear text"));
    CHECK(warnings("http://10.0.0.5:3000").size() == 1);
    CHECK(warnings("https://redmine.example.com").empty());
    CHECK(warnings("http://127.0.0.1:3100").empty());
    CHECK(warnings("http://localhost:3100").empty());
    CHECK(warnings("http://[::1]:3100").empty());
}

TEST_CASE("flap_window: off by default, a duration from the config or REDMINE_FLAP_WINDOW",
          "[config]") {
    auto with = [](const std::string& json) { return parse_config(json, env_of(kEnv)); };
    CHECK(with("{}").flap_window.count() == 0);
    CHECK(with(R"({"flap_window":"15m"})").flap_window == std::chrono::minutes(15));
    CHECK(with(R"({"flap_window":"0"})").flap_window.count() == 0);
    auto env = kEnv;
    env["REDMINE_FLAP_WINDOW"] = "10m";
    CHECK(parse_config("{}", env_of(env)).flap_window == std::chrono::minutes(10));
    CHECK_THROWS_WITH(with(R"({"flap_window":"ten minutes"})"), Contains("'flap_window'"));
    CHECK_THROWS_WITH(with(R"({"flap_window":"2d"})"),
                      Contains("'flap_window'") && Contains("at most 24h"));
}

TEST_CASE("episode_tolerance: 30s by default, from the config or REDMINE_EPISODE_TOLERANCE",
          "[config]") {
    auto with = [](const std::string& json) { return parse_config(json, env_of(kEnv)); };
    CHECK(with("{}").episode_tolerance == std::chrono::seconds(30));
    CHECK(with(R"({"episode_tolerance":"0"})").episode_tolerance.count() == 0);
    CHECK(with(R"({"episode_tolerance":"2m"})").episode_tolerance == std::chrono::minutes(2));
    auto env = kEnv;
    env["REDMINE_EPISODE_TOLERANCE"] = "5s";
    CHECK(parse_config("{}", env_of(env)).episode_tolerance == std::chrono::seconds(5));
    CHECK_THROWS_WITH(with(R"({"episode_tolerance":"1h"})"),
                      Contains("'episode_tolerance'") && Contains("at most 10m"));
    CHECK_THROWS_WITH(with(R"({"episode_tolerance":"soon"})"), Contains("'episode_tolerance'"));
}

// The plugin's README settings table follows the declaration (config_settings.cpp): a row for
// every setting, with its env twin and its default word for word, and no row for anything else.
TEST_CASE("the README's settings table is the declared settings: keys, env twins, defaults",
          "[config]") {
    std::ifstream in(std::string(TG_RG_SOURCE_DIR) + "/../../plugins/redmine_grouping/README.md");
    REQUIRE(in);
    std::vector<std::string> rows;
    for (std::string line; std::getline(in, line);)
        if (line.rfind("| `", 0) == 0) rows.push_back(line);
    REQUIRE(rows.size() > 20);
    std::set<std::string> declared;
    for (const auto& setting : settings()) {
        const std::string key = setting.name.key;
        declared.insert(key);
        INFO(key);
        const std::string named =
            "`" + key + "`" + (setting.name.env ? " [" + std::string(setting.name.env) + "]" : "");
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const std::string& r) {
            return r.find("| " + named + " ") == 0 ||
                   r.find("/ " + named + " ") != std::string::npos;
        });
        REQUIRE(row != rows.end());
        // The default column: the text between the first two " | " after the key cell.
        const size_t start = row->find(" | ") + 3;
        const std::string default_column = row->substr(start, row->find(" | ", start) - start);
        CHECK(default_column == std::string(setting.default_text));
    }
    for (const auto& row : rows) {
        INFO(row);
        const size_t cell_end = row.find(" | ");
        for (size_t at = row.find('`'); at < cell_end;
             at = row.find('`', row.find('`', at + 1) + 1))
            CHECK(declared.count(row.substr(at + 1, row.find('`', at + 1) - at - 1)));
    }
}

TEST_CASE("wont_fix_statuses: names or ids, from the routing file or REDMINE_WONT_FIX_STATUSES",
          "[config]") {
    auto with = [](const std::string& json) { return parse_config(json, env_of(kEnv)); };
    CHECK(with("{}").wont_fix_statuses.empty());
    const auto listed = with(R"({"wont_fix_statuses":["却下", 6]})").wont_fix_statuses;
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].name == "却下");
    CHECK(listed[1].id == 6);
    auto env = kEnv;
    env["REDMINE_WONT_FIX_STATUSES"] = "却下, 6";
    const auto from_env = parse_config("{}", env_of(env)).wont_fix_statuses;
    REQUIRE(from_env.size() == 2);
    CHECK(from_env[0].name == "却下");
    CHECK(from_env[1].id == 6);
    CHECK_THROWS_WITH(with(R"({"wont_fix_statuses":"却下"})"),
                      Contains("'wont_fix_statuses'") && Contains("expected a list"));
    CHECK_THROWS_WITH(with(R"({"wont_fix_statuses":["却下","却下"]})"), Contains("listed twice"));
    env["REDMINE_WONT_FIX_STATUSES"] = "却下,,6";
    CHECK_THROWS_WITH(parse_config("{}", env_of(env)), Contains("REDMINE_WONT_FIX_STATUSES"));
}

TEST_CASE("update_priority: off by default, REDMINE_UPDATE_PRIORITY, needs priorities",
          "[config]") {
    auto with = [](const std::string& json) { return parse_config(json, env_of(kEnv)); };
    CHECK_FALSE(with("{}").update_priority);
    CHECK(with(R"({"update_priority":true,"priorities":{"critical":"急いで"}})").update_priority);
    auto env = kEnv;
    env["REDMINE_UPDATE_PRIORITY"] = "true";
    CHECK(parse_config(R"({"priorities":{"critical":4}})", env_of(env)).update_priority);
    CHECK_THROWS_WITH(parse_config("{}", env_of(env)),
                      Contains("'update_priority'") && Contains("needs priorities"));
    CHECK_THROWS_WITH(with(R"({"update_priority":"yes"})"), Contains("expected true or false"));
}
