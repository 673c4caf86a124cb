#include "redmine_test_support.hpp"

#include "test_support.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Stringifier.h>
#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern "C" const tg_sink_plugin* tg_sink_entry(void);

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

void host_log(void* ctx, tg_log_level level, tg_str message) {
    static_cast<Host*>(ctx)->lines.emplace_back(level, std::string(tg::view(message)));
}

size_t host_env(void* ctx, tg_str name, char* buffer, size_t capacity) {
    auto& env = static_cast<Host*>(ctx)->env;
    auto it = env.find(std::string(tg::view(name)));
    if (it == env.end()) return TG_ENV_UNSET;
    std::memcpy(buffer, it->second.data(), std::min(capacity, it->second.size()));
    return it->second.size();
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

Admin::Admin()
    : client_({redmine_env().url, redmine_env().api_key, "", true, std::chrono::seconds(30)}) {}

// Redmine on SQLite answers 500 "database is locked" while another process writes a long
// transaction; the sink retries such answers, and so do the tests' reads.
Poco::JSON::Object::Ptr Admin::get(const std::string& path) {
    for (int attempt = 1;; ++attempt) {
        try {
            return client_.get(path);
        } catch (const tg::RetryLater&) {
            if (attempt == 10) throw;
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

std::string Admin::create_project(const std::string& tag) {
    const std::string ident = unique_ident(tag);
    Poco::JSON::Array::Ptr trackers = new Poco::JSON::Array;
    auto list = get("/trackers.json")->getArray("trackers");
    for (size_t i = 0; i < list->size(); ++i)
        trackers->add(list->getObject(i)->getValue<Poco::Int64>("id"));
    Poco::JSON::Array::Ptr modules = new Poco::JSON::Array;
    modules->add(std::string("issue_tracking"));
    Poco::JSON::Object::Ptr project = new Poco::JSON::Object;
    project->set("name", ident);
    project->set("identifier", ident);
    project->set("is_public", true);
    project->set("tracker_ids", trackers);
    project->set("enabled_module_names", modules);
    Poco::JSON::Object body;
    body.set("project", project);
    client_.post("/projects.json", body, "test project");
    if (sink_is_bot()) add_member(ident, bot("MINIMAL").id, bot("MINIMAL").role_id);
    return ident;
}

std::vector<Poco::JSON::Object::Ptr> Admin::issues(const std::string& project) {
    std::vector<Poco::JSON::Object::Ptr> out;
    for (int offset = 0;; offset += 100) {
        auto answer = get("/issues.json?project_id=" + project +
                          "&status_id=*&sort=id&limit=100&offset=" + std::to_string(offset));
        auto list = answer->getArray("issues");
        for (size_t i = 0; i < list->size(); ++i) out.push_back(list->getObject(i));
        if (list->size() < 100) break;
    }
    return out;
}

Poco::JSON::Object::Ptr Admin::issue(int64_t id) {
    return get("/issues/" + std::to_string(id) + ".json?include=journals,children")
        ->getObject("issue");
}

std::vector<std::string> Admin::notes(int64_t id) {
    std::vector<std::string> out;
    auto journals = issue(id)->getArray("journals");
    for (size_t i = 0; journals && i < journals->size(); ++i) {
        std::string n = journals->getObject(i)->optValue<std::string>("notes", "");
        if (!n.empty()) out.push_back(n);
    }
    return out;
}

size_t Admin::count_notes(int64_t id, const std::string& word) {
    size_t n = 0;
    for (const auto& note : notes(id)) n += note.find(word) != std::string::npos ? 1 : 0;
    return n;
}

int64_t Admin::status(int64_t id) {
    return issue(id)->getObject("status")->getValue<Poco::Int64>("id");
}

int64_t Admin::parent(int64_t id) {
    auto p = issue(id)->getObject("parent");
    return p ? p->getValue<Poco::Int64>("id") : 0;
}

void Admin::set_status(int64_t id, int64_t status) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("status_id", status);
    Poco::JSON::Object body;
    body.set("issue", fields);
    client_.put("/issues/" + std::to_string(id) + ".json", body, "test status");
    REQUIRE(this->status(id) == status);
}

int64_t Admin::create_issue(const std::string& project, const std::string& subject) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("project_id", project);
    fields->set("subject", subject);
    Poco::JSON::Object body;
    body.set("issue", fields);
    return client_.post("/issues.json", body, "test issue")
        ->getObject("issue")
        ->getValue<Poco::Int64>("id");
}

Poco::JSON::Object::Ptr Admin::find(const std::string& project, const std::string& subject) {
    Poco::JSON::Object::Ptr found;
    int n = 0;
    for (auto& i : issues(project))
        if (i->getValue<std::string>("subject") == subject) {
            found = i;
            ++n;
        }
    INFO("subject " << subject);
    REQUIRE(n == 1);
    return found;
}

int64_t Admin::create_category(const std::string& project, const std::string& name) {
    Poco::JSON::Object::Ptr category = new Poco::JSON::Object;
    category->set("name", name);
    Poco::JSON::Object body;
    body.set("issue_category", category);
    return client_.post("/projects/" + project + "/issue_categories.json", body, "test category")
        ->getObject("issue_category")
        ->getValue<Poco::Int64>("id");
}

void Admin::add_member(const std::string& project, int64_t principal_id, int64_t role_id) {
    Poco::JSON::Array::Ptr role_ids = new Poco::JSON::Array;
    if (role_id) {
        role_ids->add(role_id);
    } else {
        auto roles = get("/roles.json")->getArray("roles");
        REQUIRE((roles && roles->size() > 0));
        role_ids->add(roles->getObject(0)->getValue<Poco::Int64>("id"));  // 管理者 / Manager
    }
    Poco::JSON::Object::Ptr membership = new Poco::JSON::Object;
    membership->set("user_id", principal_id);
    membership->set("role_ids", role_ids);
    Poco::JSON::Object body;
    body.set("membership", membership);
    client_.post("/projects/" + project + "/memberships.json", body, "test member");
}

int64_t Admin::create_issue_as_sink(const std::string& project, Poco::JSON::Object::Ptr fields) {
    fields->set("project_id", project);
    Poco::JSON::Object body;
    body.set("issue", fields);
    tg::redmine::RedmineClient as_sink(
        {redmine_env().url, sink_api_key(), "", true, std::chrono::seconds(30)});
    return as_sink.post("/issues.json", body, "the sink's issue")
        ->getObject("issue")
        ->getValue<Poco::Int64>("id");
}

void Admin::set_subject(int64_t id, const std::string& subject) {
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    fields->set("subject", subject);
    Poco::JSON::Object body;
    body.set("issue", fields);
    client_.put("/issues/" + std::to_string(id) + ".json", body, "test subject");
}

Host::Host() {
    for (const char* name : {"REDMINE_URL", "REDMINE_API_KEY", "REDMINE_TRACKER_ID",
                             "REDMINE_STATUS_DONE", "REDMINE_STATUS_CARRYOVER"}) {
        auto it = redmine_env().vars.find(name);
        if (it != redmine_env().vars.end()) env[name] = it->second;
    }
    env["REDMINE_API_KEY"] = sink_api_key();
    services.struct_size = sizeof(tg_host_services);
    services.abi_major = TG_SINK_ABI_MAJOR;
    services.abi_minor = TG_SINK_ABI_MINOR;
    services.host_ctx = this;
    services.log = &host_log;
    services.get_env = &host_env;
    services.metric_add = [](void* ctx, tg_str name, tg_str labels, double value) {
        static_cast<Host*>(ctx)
            ->metrics[std::string(tg::view(name)) + "{" + std::string(tg::view(labels)) + "}"] +=
            value;
    };
}

bool Host::logged(const std::string& part) const { return count_logged(part) > 0; }

int Host::count_logged(const std::string& part) const {
    int n = 0;
    for (const auto& [level, line] : lines)
        if (line.find(part) != std::string::npos) ++n;
    return n;
}

std::string Host::all_lines() const {
    std::string out;
    for (const auto& [level, line] : lines) out += line + "\n";
    return out;
}

SinkHandle::SinkHandle(Host& host, const std::string& config_json, const std::string& state_dir,
                       const std::string& shared_store)
    : plugin_(tg_sink_entry()) {
    tg_sink_create_args args{
        sizeof(tg_sink_create_args), tg::borrow("redmine"), tg::borrow(config_json),
        tg::borrow(state_dir),       &host.services,        tg::borrow(shared_store)};
    char buffer[2048] = {};
    tg_error_buf error{buffer, sizeof buffer};
    const tg_status status = plugin_->create(&args, &instance_, &error);
    INFO("create: " << buffer);
    REQUIRE(status == TG_OK);
}

SinkHandle::~SinkHandle() {
    if (instance_) plugin_->destroy(instance_);
}

tg_status SinkHandle::deliver(const std::string& json, const std::string& key, bool dry_run) {
    tg_delivery d{sizeof(tg_delivery),
                  tg::borrow(json),
                  tg::borrow(key),
                  tg::borrow("test"),
                  dry_run ? TG_FLAG_DRY_RUN : 0u,
                  1};
    char buffer[4096] = {};
    tg_error_buf error{buffer, sizeof buffer};
    const tg_status status = plugin_->deliver(instance_, &d, &error);
    error_ = buffer;
    return status;
}

tg_status SinkHandle::run_hook(const std::string& name, bool dry_run) {
    tg_hook_run run{sizeof(tg_hook_run), tg::borrow(name), 0, dry_run ? TG_FLAG_DRY_RUN : 0u};
    char buffer[4096] = {};
    tg_error_buf error{buffer, sizeof buffer};
    const tg_status status = plugin_->run_hook(instance_, &run, &error);
    error_ = buffer;
    return status;
}

tg::redmine::RedmineSink& SinkHandle::sink() {
    auto* holder = static_cast<tg::detail::Instance*>(instance_);
    auto* sink = dynamic_cast<tg::redmine::RedmineSink*>(holder->sink.get());
    REQUIRE(sink);
    return *sink;
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

void deliver_ok(SinkHandle& sink, const std::string& json, const std::string& key, bool dry_run) {
    const tg_status status = sink.deliver(json, key, dry_run);
    INFO("delivery " << key << ": " << sink.error());
    REQUIRE(status == TG_OK);
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
