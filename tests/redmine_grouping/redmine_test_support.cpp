// redmine_test_support.hpp: the env file, bots, fixtures, temporary directories, notifications and
// the sink's config. Admin: redmine_admin.cpp; Host and SinkHandle: redmine_sink_handle.cpp.
#include "redmine_test_support.hpp"

#include "test_support.hpp"

#include <Poco/JSON/Stringifier.h>
#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace rgtest {

namespace {

std::string env_file_path() {
    const char* p = std::getenv("TG_REDMINE_ENV_FILE");
    return p && *p ? p : "/var/lib/tickets-grouping-redmine/redmine.env";
}

RedmineEnv load_env() {
    RedmineEnv env;
    const std::string path = env_file_path();
    std::ifstream in(path);
    if (!in)
        FAIL("Redmine env file " << path
                                 << " is missing: run scripts/redmine-local.sh setup "
                                    "(or set TG_REDMINE_ENV_FILE)");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.rfind("export ", 0) == 0) line = line.substr(7);
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front())
            value = value.substr(1, value.size() - 2);
        env.vars[line.substr(0, eq)] = value;
    }
    env.url = env.vars["REDMINE_URL"];
    env.api_key = env.vars["REDMINE_API_KEY"];
    if (env.url.empty() || env.api_key.empty())
        FAIL(path << " lacks REDMINE_URL or REDMINE_API_KEY");
    env.status_done = std::stoll(env.vars["REDMINE_STATUS_DONE"]);
    env.status_carryover = std::stoll(env.vars["REDMINE_STATUS_CARRYOVER"]);
    tg::redmine::RedmineClient probe({env.url, env.api_key, "", true, std::chrono::seconds(10)});
    try {
        probe.get("/users/current.json");
    } catch (const std::exception& e) {
        FAIL("Redmine at " << env.url << " is unreachable or refuses the API key (" << e.what()
                           << "): start it with scripts/redmine-local.sh setup");
    }
    return env;
}

}  // namespace

const RedmineEnv& redmine_env() {
    static std::unique_ptr<RedmineEnv> env;
    if (!env) env = std::make_unique<RedmineEnv>(load_env());
    return *env;
}

const std::map<std::string, std::string>& redmine_fixtures() {
    static std::unique_ptr<std::map<std::string, std::string>> vars;
    if (vars) return *vars;
    const char* env_path = std::getenv("TG_REDMINE_ENV_FILE");
    const std::filesystem::path path =
        std::filesystem::path(
            env_path && *env_path ? env_path : "/var/lib/tickets-grouping-redmine/redmine.env")
            .parent_path() /
        "fixtures.env";
    std::ifstream in(path);
    if (!in) FAIL("cannot read " << path << ": run scripts/redmine-local.sh fixtures");
    auto loaded = std::make_unique<std::map<std::string, std::string>>();
    for (std::string line; std::getline(in, line);)
        if (auto eq = line.find('='); eq != std::string::npos)
            (*loaded)[line.substr(0, eq)] = line.substr(eq + 1);
    vars = std::move(loaded);
    return *vars;
}

int64_t fixture_id(const std::string& name) {
    auto it = redmine_fixtures().find("TG_FIXTURE_" + name);
    if (it == redmine_fixtures().end()) FAIL("fixtures.env lacks TG_FIXTURE_" << name);
    return std::stoll(it->second);
}

const Bot& bot(const std::string& name) {
    static std::map<std::string, Bot> bots;
    if (auto it = bots.find(name); it != bots.end()) return it->second;
    const std::filesystem::path path =
        std::filesystem::path(env_file_path()).parent_path() / "bots.env";
    std::ifstream in(path);
    if (!in) FAIL("cannot read " << path << ": run scripts/redmine-local.sh fixtures");
    std::map<std::string, std::string> vars;
    for (std::string line; std::getline(in, line);)
        if (auto eq = line.find('='); eq != std::string::npos)
            vars[line.substr(0, eq)] = line.substr(eq + 1);
    const std::string prefix = "TG_BOT_" + name + "_";
    for (const char* part : {"LOGIN", "KEY", "ID", "ROLE_ID"})
        if (!vars.count(prefix + part)) FAIL(path << " lacks " << prefix << part);
    Bot b{vars[prefix + "LOGIN"], vars[prefix + "KEY"], std::stoll(vars[prefix + "ID"]),
          std::stoll(vars[prefix + "ROLE_ID"])};
    return bots[name] = b;
}

bool sink_is_bot() {
    const char* as = std::getenv("TG_REDMINE_AS");
    return as && std::string(as) == "minimal";
}

const std::string& sink_api_key() {
    return sink_is_bot() ? bot("MINIMAL").api_key : redmine_env().api_key;
}

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(TG_RG_FIXTURES) + "/" + name);
    if (!in) FAIL("missing fixture " << name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string unique_ident(const std::string& tag) {
    static std::atomic<int> counter{0};
    const auto t = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    return "rg-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" +
           std::to_string(t % 100000000);
}

TempDir::TempDir() {
    path = std::filesystem::temp_directory_path() / unique_ident("state");
    std::filesystem::create_directories(path);
}
TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

namespace {
std::string json_object(const std::map<std::string, std::string>& values) {
    Poco::JSON::Object object;
    for (const auto& [k, v] : values) object.set(k, v);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}
std::string json_string(const std::string& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::formatString(value, out);
    return out.str();
}
}  // namespace

std::string notification(const std::vector<TestAlert>& alerts, const std::string& external_url) {
    std::string out = R"({"externalURL":)" + json_string(external_url) + R"(,"alerts":[)";
    for (size_t i = 0; i < alerts.size(); ++i) {
        const auto& a = alerts[i];
        out += std::string(i ? "," : "") + R"({"status":")" + (a.firing ? "firing" : "resolved") +
               R"(","labels":)" + json_object(a.labels) + R"(,"annotations":)" +
               json_object(a.annotations) + R"(,"startsAt":")" + a.starts_at + R"(","endsAt":")" +
               (a.firing ? "0001-01-01T00:00:00Z" : a.ends_at) + R"(","generatorURL":)" +
               json_string(a.generator_url) + "}";
    }
    return out + "]}";
}

int64_t id_of(const Poco::JSON::Object::Ptr& issue) { return issue->getValue<Poco::Int64>("id"); }

std::string sink_config(const std::string& project, const std::string& extra) {
    return R"({"project":")" + project + R"(","time_zone":"Asia/Tokyo")" +
           (extra.empty() ? "" : "," + extra) + "}";
}

std::string state_file(const TempDir& dir) { return (dir.path / "redmine_state.sqlite3").string(); }

std::string set_required_field(const std::string& project, bool required) {
    const std::string made = rails_runner(
        "dead_letters/required_field.rb",
        {"TG_PROJECT=" + project, std::string("TG_REQUIRED=") + (required ? "1" : "0")});
    const size_t at = made.find("TG_FIELD=");
    if (at == std::string::npos)
        throw std::runtime_error("dead_letters/required_field.rb said no TG_FIELD: " + made);
    return made.substr(at + 9, made.find('\n', at) - at - 9);
}

std::string write_env_file(const TempDir& dir, const std::string& project, const std::string& extra,
                           const std::string& api_key) {
    std::string text = "REDMINE_API_KEY=" + api_key + "\nREDMINE_PROJECT_ID=" + project +
                       "\nREDMINE_TIME_ZONE=Asia/Tokyo\n";
    for (const char* key :
         {"REDMINE_URL", "REDMINE_TRACKER_ID", "REDMINE_STATUS_DONE", "REDMINE_STATUS_CARRYOVER"})
        text += std::string(key) + "=" + redmine_env().vars.at(key) + "\n";
    text += extra;
    const std::filesystem::path path = dir.path / "redmine.env";
    std::ofstream(path) << text;
    return path.string();
}

// Redmine's SQLite answers "database is locked" while another process writes: try again.
int rails_runner_status(const std::string& script, const std::vector<std::string>& vars,
                        std::string& output) {
    const std::string tests = TG_TEST_SOURCE_DIR;
    std::vector<std::string> argv{tests + "/../scripts/redmine-local.sh", "runner",
                                  tests + "/redmine_grouping/" + script};
    argv.insert(argv.end(), vars.begin(), vars.end());
    int status = 0;
    for (int attempt = 1; attempt <= 10; ++attempt) {
        status = tg::test::run_command(argv, output);
        if (status == 0 || output.find("database is locked") == std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::seconds(std::min(attempt, 5)));
    }
    return status;
}

std::string rails_runner(const std::string& script, const std::vector<std::string>& vars) {
    std::string output;
    const int status = rails_runner_status(script, vars, output);
    INFO(output);
    REQUIRE(status == 0);
    return output;
}

}  // namespace rgtest
