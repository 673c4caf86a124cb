// Shared by the integration tests: temporary directories, fixtures, HTTP calls, and the host
// binary run as a child process on a free loopback port.
#pragma once

#include <Poco/JSON/Object.h>

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tg::test {

std::string fixture(const std::string& name);  // tests/fixtures/alertmanager/<name>
std::string read_file(const std::string& path);
// The non-empty lines of a file (none when it does not exist yet), raw or parsed as JSON objects.
std::vector<std::string> read_lines(const std::string& path);
// How often `part` occurs in `text` (log lines of a kind, say).
size_t occurrences(const std::string& text, const std::string& part);
std::vector<Poco::JSON::Object::Ptr> read_json_lines(const std::string& path);
// The value of one sample (`name{labels}`) in a Prometheus text page; -1 when it is absent.
int64_t metric_value(const std::string& page, const std::string& series);
void write_file(const std::string& path, const std::string& text);
std::string host_binary();
std::string plugin_dir();
int free_port();

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// The operators' env file for a host whose Redmine sink is never reached (a refused port): for
// tests of the host itself (auth, pages). `extra` is more lines ("KEY=VALUE\n"). Returns its path.
std::string offline_env_file(const TempDir& dir, const std::string& extra);

struct HttpResult {
    int status = 0;  // 0: no answer (connection refused, reset, timeout)
    std::string body;
    std::string error;
};

HttpResult http_request(int port, const std::string& method, const std::string& path,
                        const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
// The same to `address` (a host listening on 0.0.0.0, reached from a non-loopback address).
HttpResult http_request_at(const std::string& address, int port, const std::string& method,
                           const std::string& path, const std::string& body = "",
                           const std::map<std::string, std::string>& headers = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
// An IPv4 address of this machine that is not loopback, "" when there is none.
std::string non_loopback_address();
inline HttpResult http_post(int port, const std::string& path, const std::string& body) {
    return http_request(port, "POST", path, body, {{"Content-Type", "application/json"}});
}
inline HttpResult http_get(int port, const std::string& path) {
    return http_request(port, "GET", path);
}

// The tickets-grouping binary, started with `args` plus --listen on a free port; its output
// goes to a log file that tests may read.
class HostProcess {
  public:
    // `port` 0 picks a free one; a fixed port lets a peer be configured before the host starts.
    // `binary` "" is tickets-grouping; another binary must take --listen the same way. `bind` is
    // the address of --listen (0.0.0.0: beyond loopback; the tests still reach it on 127.0.0.1).
    HostProcess(const std::vector<std::string>& args, const std::string& log_path,
                const std::map<std::string, std::string>& env = {}, int port = 0,
                const std::string& binary = "", const std::string& bind = "127.0.0.1");
    ~HostProcess();
    HostProcess(const HostProcess&) = delete;
    HostProcess& operator=(const HostProcess&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(15));
    void kill_hard();  // SIGKILL, then reaps
    int terminate();   // SIGTERM, returns the exit status (or -1)
    bool running();
    void send_signal(int signal);
    std::string log() const;

  private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string log_path_;
};

// Runs a command; returns its exit status and puts stdout+stderr into `output`.
int run_command(const std::vector<std::string>& argv, std::string& output,
                const std::map<std::string, std::string>& env = {});

// Polls `condition` until it is true or `timeout` passes.
template <class F>
bool eventually(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        struct timespec pause {
            0, 50 * 1000 * 1000
        };
        nanosleep(&pause, nullptr);
    }
    return condition();
}

}  // namespace tg::test
