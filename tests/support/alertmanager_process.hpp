// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) for end-to-end tests: writes
// its alertmanager.yml with one webhook receiver, runs it on a free loopback port with its own
// storage, no clustering unless asked (an HA pair), pushes and resolves alerts through its v2
// API, and stops it.
#pragma once

#include "test_support.hpp"

#include <sys/types.h>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace tg::test {

// Any child process, its stdout and stderr appended to a log file. Stopped when destroyed.
class ChildProcess {
  public:
    ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
                 const std::map<std::string, std::string>& env = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    // SIGTERM, then SIGKILL after `grace`; returns the exit status (128 + signal), -1 if not
    // running.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
    void kill_hard();
    std::string log() const;

  private:
    pid_t pid_ = -1;
    std::string log_path_;
};

// RFC 3339 UTC time with milliseconds, e.g. 2024-05-01T09:30:00.123Z; `offset` from now.
std::string rfc3339_utc(std::chrono::system_clock::duration offset = {});

// `name` as found on PATH (what `command -v` prints), else `fallback`.
std::string find_program(const std::string& name, const std::string& fallback);

struct AlertmanagerConfig {
    std::string webhook_url;  // e.g. http://127.0.0.1:PORT/webhook
    bool send_resolved = true;
    std::string group_wait = "1s";
    std::string group_interval = "2s";
    std::string repeat_interval = "1h";
    std::string bearer_token;  // non-empty: http_config.authorization (Bearer)
    std::string basic_user;    // non-empty: http_config.basic_auth
    std::string basic_password;

    std::string yaml() const;  // the alertmanager.yml text
};

// An alert as POSTed to /api/v2/alerts (empty times are left out: Alertmanager fills them in).
struct PostedAlert {
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    std::string starts_at;
    std::string ends_at;
    std::string generator_url;
};

// An alert as reported by GET /api/v2/alerts.
struct ReportedAlert {
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    std::string fingerprint;
    std::string state;  // active, suppressed, unprocessed
    std::string starts_at;
    std::string ends_at;
};

// An HA peer: gossip on 127.0.0.1:listen_port with the peers on their ports (TCP and UDP).
struct AlertmanagerCluster {
    int listen_port = 0;  // 0: clustering off
    std::vector<int> peer_ports;
    // How long the second peer waits for the first's notification before sending its own.
    std::string peer_timeout = "15s";
    std::string gossip_interval = "200ms";
    std::string settle_timeout = "5s";  // the notifications wait at most this for the gossip
};

class AlertmanagerProcess {
  public:
    // Writes <dir>/alertmanager.yml and starts Alertmanager on a free 127.0.0.1 port with
    // --storage.path <dir>/am-data and clustering off unless `cluster` says; its output goes to
    // <dir>/alertmanager.log.
    AlertmanagerProcess(const std::string& dir, const AlertmanagerConfig& config,
                        const AlertmanagerCluster& cluster = {});
    ~AlertmanagerProcess() = default;
    AlertmanagerProcess(const AlertmanagerProcess&) = delete;
    AlertmanagerProcess& operator=(const AlertmanagerProcess&) = delete;

    static std::string binary();  // command -v prometheus-alertmanager, else /usr/bin/...

    int port() const { return port_; }
    const std::string& config_path() const { return config_path_; }
    // Polls GET /-/ready until 200; false if it exited or the time ran out.
    bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20));

    HttpResult push(const std::vector<PostedAlert>& alerts);  // POST /api/v2/alerts
    // Sends the same alerts again with endsAt = now (startsAt kept) so they resolve.
    HttpResult resolve(const std::vector<PostedAlert>& alerts);
    std::vector<ReportedAlert> alerts();  // GET /api/v2/alerts (active ones); throws on error
    // POST /api/v2/silences: silences the alerts whose labels equal `matchers` for `length`.
    HttpResult silence(const std::map<std::string, std::string>& matchers,
                       std::chrono::seconds length = std::chrono::hours(1));
    // The sum of every series of `metric` on Alertmanager's /metrics whose labels contain
    // `label_filter` (e.g. integration="webhook"); 0 when there is none.
    double metric(const std::string& metric, const std::string& label_filter = "");

    int stop() { return process_.stop(); }  // SIGTERM, then SIGKILL
    bool running() { return process_.running(); }
    std::string log() const { return process_.log(); }

  private:
    static std::string write_config(const std::string& dir, const AlertmanagerConfig& config);
    static std::vector<std::string> command(const std::string& dir, const std::string& config_path,
                                            int port, const AlertmanagerCluster& cluster);

    int port_;
    std::string config_path_;
    ChildProcess process_;
};

// Sums the samples of `metric` in a Prometheus text exposition whose label text contains
// `label_filter`.
double prometheus_metric(const std::string& exposition, const std::string& metric,
                         const std::string& label_filter = "");

}  // namespace tg::test
