// Test-side helpers for the integration tests: the Redmine env file, an admin REST client that
// verifies what the sink did, a fake host (captured log, env map) and the sink behind the C ABI.
#pragma once

#include "redmine_client.hpp"
#include "redmine_sink.hpp"

#include <tickets_grouping/sink_abi.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rgtest {

struct RedmineEnv {
    std::map<std::string, std::string> vars;  // as in the env file
    std::string url, api_key;
    int64_t status_done = 0, status_carryover = 0;
};

// Reads TG_REDMINE_ENV_FILE (default /var/lib/tickets-grouping-redmine/redmine.env) and checks
// that Redmine answers; FAILs the test with a clear message otherwise.
const RedmineEnv& redmine_env();
// fixtures.env next to the env file (scripts/redmine-local.sh fixtures): custom field, user and
// group ids. FAILs the test when it is missing.
const std::map<std::string, std::string>& redmine_fixtures();
int64_t fixture_id(const std::string& name);  // TG_FIXTURE_<name>

// A bot user of bots.env (scripts/redmine-local.sh fixtures): MINIMAL has the role of
// docs/operators-guide.md, RESTRICTED the same without manage_subtasks.
struct Bot {
    std::string login, api_key;
    int64_t id = 0, role_id = 0;
};
const Bot& bot(const std::string& name);
// Whom the sink runs as: the admin, or with TG_REDMINE_AS=minimal the MINIMAL bot (a member of
// every test project then). The grouping tests run both ways.
const std::string& sink_api_key();
bool sink_is_bot();

// Runs tests/redmine_grouping/<script> with rails runner (as www-data, through
// scripts/redmine-local.sh runner); returns its output. FAILs the test when it fails.
std::string rails_runner(const std::string& script, const std::vector<std::string>& vars = {});
// The same, for a destructor: returns the exit status, fails nothing.
int rails_runner_status(const std::string& script, const std::vector<std::string>& vars,
                        std::string& output);

std::string fixture(const std::string& name);
std::string unique_ident(const std::string& tag);

struct TempDir {
    std::filesystem::path path;
    TempDir();
    ~TempDir();
};

class Admin {
  public:
    Admin();
    // A fresh public project with every tracker and issue tracking; returns its identifier.
    std::string create_project(const std::string& tag);
    std::vector<Poco::JSON::Object::Ptr> issues(const std::string& project);  // every status
    Poco::JSON::Object::Ptr issue(int64_t id);                // with journals and children
    std::vector<std::string> notes(int64_t id);               // journal notes that are not empty
    size_t count_notes(int64_t id, const std::string& word);  // notes that contain `word`
    int64_t status(int64_t id);
    int64_t parent(int64_t id);
    void set_status(int64_t id, int64_t status);
    int64_t create_issue(const std::string& project, const std::string& subject);
    Poco::JSON::Object::Ptr find(const std::string& project,
                                 const std::string& subject);  // exactly one
    int64_t create_category(const std::string& project, const std::string& name);
    // Makes a user or a group a member of the project with the first role that may be assigned
    // (or the role given).
    void add_member(const std::string& project, int64_t principal_id, int64_t role_id = 0);
    // An issue as the sink would have made it (with the sink's key): an interrupted create.
    int64_t create_issue_as_sink(const std::string& project, Poco::JSON::Object::Ptr fields);
    void set_subject(int64_t id, const std::string& subject);
    tg::redmine::RedmineClient& client() { return client_; }

  private:
    Poco::JSON::Object::Ptr get(const std::string& path);  // retried while Redmine answers 5xx
    tg::redmine::RedmineClient client_;
};

struct Host {
    std::map<std::string, std::string> env;
    std::vector<std::pair<tg_log_level, std::string>> lines;
    std::map<std::string, double> metrics;  // "name{labels}" → sum of what the sink counted
    // Over lines and metrics while the sink writes them: a sink with delivery groups logs from
    // several threads at once (read them once its deliveries are done).
    std::mutex mutex;
    tg_host_services services{};
    Host();
    bool logged(const std::string& part) const;
    int count_logged(const std::string& part) const;
    std::string all_lines() const;
};

class SinkHandle {
  public:
    // shared_store: the host's PostgreSQL store as a libpq connection string ("" embedded).
    SinkHandle(Host& host, const std::string& config_json, const std::string& state_dir,
               const std::string& shared_store = "");
    ~SinkHandle();
    tg_status deliver(const std::string& json, const std::string& key, bool dry_run = false);
    // The same from one of several threads delivering at once (ABI 1.6 delivery groups): the
    // sink's error goes to `error`, not to error().
    tg_status deliver(const std::string& json, const std::string& key, std::string& error) const;
    tg_status run_hook(const std::string& name, bool dry_run = false);
    const std::string& error() const { return error_; }
    tg::redmine::RedmineSink& sink();
    tg::redmine::RequestCounts counts() { return sink().request_counts(); }

  private:
    void* instance_ = nullptr;
    const tg_sink_plugin* plugin_;
    std::string error_;
};

// An alert of a hand-made notification.
struct TestAlert {
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    std::string starts_at = "2026-11-27T07:51:27Z";
    bool firing = true;
    std::string ends_at = "2026-11-27T08:00:00Z";  // when resolved
    std::string generator_url = "http://prom.example.invalid/graph";
};
std::string notification(const std::vector<TestAlert>& alerts,
                         const std::string& external_url = "http://am.example.invalid:9093");
// Delivers and REQUIREs TG_OK, showing the sink's error otherwise.
void deliver_ok(SinkHandle& sink, const std::string& json, const std::string& key,
                bool dry_run = false);
int64_t id_of(const Poco::JSON::Object::Ptr& issue);

// The sink's config for a test project, in the test's time zone; `extra` is more JSON members.
std::string sink_config(const std::string& project, const std::string& extra = "");
std::string state_file(const TempDir& dir);
// A custom field of the project's issues, required (Redmine then refuses the sink's tickets with
// 422) or optional again (dead_letters/required_field.rb). Returns its name.
std::string set_required_field(const std::string& project, bool required);

// The operators' env file for a test project (dir/redmine.env): the local Redmine's URL,
// tracker and statuses, the test's time zone, the API key given; `extra` is more lines
// ("KEY=VALUE\n"). Returns its path.
std::string write_env_file(const TempDir& dir, const std::string& project,
                           const std::string& extra = "",
                           const std::string& api_key = redmine_env().api_key);

}  // namespace rgtest
