#include "alertmanager_process.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tg::test {
namespace {

// A YAML double-quoted scalar.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

Poco::JSON::Object::Ptr string_object(const std::map<std::string, std::string>& values) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
    for (const auto& [key, value] : values) object->set(key, value);
    return object;
}

std::map<std::string, std::string> string_map(const Poco::JSON::Object::Ptr& object) {
    std::map<std::string, std::string> result;
    if (!object) return result;
    for (const auto& [key, value] : *object) result[key] = value.toString();
    return result;
}

int exit_status(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
                           const std::map<std::string, std::string>& env)
    : log_path_(log_path) {
    if (argv.empty()) throw std::invalid_argument("ChildProcess: empty command");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        const int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, 0);
        for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> raw;
        for (const auto& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
        raw.push_back(nullptr);
        execv(raw[0], raw.data());
        std::fprintf(stderr, "cannot run %s: %s\n", raw[0], std::strerror(errno));
        _exit(127);
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0) stop(std::chrono::seconds(5));
}

bool ChildProcess::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

void ChildProcess::kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return exit_status(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return exit_status(status);
}

std::string ChildProcess::log() const {
    try {
        return read_file(log_path_);
    } catch (...) {
        return "";
    }
}

std::string rfc3339_utc(std::chrono::system_clock::duration offset) {
    using namespace std::chrono;
    const auto when = system_clock::now() + offset;
    const auto millis = duration_cast<milliseconds>(when.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis % 1000));
    return std::string(date) + fraction;
}

std::string find_program(const std::string& name, const std::string& fallback) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
            return candidate;
    }
    return fallback;
}

std::string AlertmanagerConfig::yaml() const {
    std::ostringstream out;
    out << "route:\n"
        << "  receiver: host\n"
        << "  group_by: [alertname]\n"
        << "  group_wait: " << group_wait << "\n"
        << "  group_interval: " << group_interval << "\n"
        << "  repeat_interval: " << repeat_interval << "\n"
        << "receivers:\n"
        << "  - name: host\n"
        << "    webhook_configs:\n"
        << "      - url: " << quoted(webhook_url) << "\n"
        << "        send_resolved: " << (send_resolved ? "true" : "false") << "\n";
    if (!bearer_token.empty() || !basic_user.empty()) {
        out << "        http_config:\n";
        if (!bearer_token.empty())
            out << "          authorization:\n"
                << "            type: Bearer\n"
                << "            credentials: " << quoted(bearer_token) << "\n";
        if (!basic_user.empty())
            out << "          basic_auth:\n"
                << "            username: " << quoted(basic_user) << "\n"
                << "            password: " << quoted(basic_password) << "\n";
    }
    return out.str();
}

std::string AlertmanagerProcess::binary() {
    return find_program("prometheus-alertmanager", "/usr/bin/prometheus-alertmanager");
}

std::string AlertmanagerProcess::write_config(const std::string& dir,
                                              const AlertmanagerConfig& config) {
    const std::string path = dir + "/alertmanager.yml";
    write_file(path, config.yaml());
    return path;
}

std::vector<std::string> AlertmanagerProcess::command(const std::string& dir,
                                                      const std::string& config_path, int port,
                                                      const AlertmanagerCluster& cluster) {
    std::vector<std::string> argv{binary(), "--config.file=" + config_path,
                                  "--storage.path=" + dir + "/am-data",
                                  "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                  "--log.level=debug"};  // shows each notify attempt and its error
    if (cluster.listen_port == 0) {
        argv.push_back("--cluster.listen-address=");  // empty: no gossip, no peers
        return argv;
    }
    const std::string self = "127.0.0.1:" + std::to_string(cluster.listen_port);
    argv.push_back("--cluster.listen-address=" + self);
    argv.push_back("--cluster.advertise-address=" + self);
    for (int peer : cluster.peer_ports)
        argv.push_back("--cluster.peer=127.0.0.1:" + std::to_string(peer));
    argv.push_back("--cluster.peer-timeout=" + cluster.peer_timeout);
    argv.push_back("--cluster.gossip-interval=" + cluster.gossip_interval);
    argv.push_back("--cluster.settle-timeout=" + cluster.settle_timeout);
    return argv;
}

AlertmanagerProcess::AlertmanagerProcess(const std::string& dir, const AlertmanagerConfig& config,
                                         const AlertmanagerCluster& cluster)
    : port_(free_port()),
      config_path_(write_config(dir, config)),
      process_(command(dir, config_path_, port_, cluster), dir + "/alertmanager.log") {}

bool AlertmanagerProcess::wait_ready(std::chrono::milliseconds timeout) {
    return eventually(
               [&] {
                   return !process_.running() ||
                          http_request(port_, "GET", "/-/ready", "", {}, std::chrono::seconds(2))
                                  .status == 200;
               },
               timeout) &&
           process_.running();
}

HttpResult AlertmanagerProcess::push(const std::vector<PostedAlert>& alerts) {
    Poco::JSON::Array body;
    for (const auto& alert : alerts) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("labels", string_object(alert.labels));
        item->set("annotations", string_object(alert.annotations));
        if (!alert.starts_at.empty()) item->set("startsAt", alert.starts_at);
        if (!alert.ends_at.empty()) item->set("endsAt", alert.ends_at);
        if (!alert.generator_url.empty()) item->set("generatorURL", alert.generator_url);
        body.add(item);
    }
    std::ostringstream text;
    body.stringify(text);
    return http_request(port_, "POST", "/api/v2/alerts", text.str(),
                        {{"Content-Type", "application/json"}});
}

HttpResult AlertmanagerProcess::resolve(const std::vector<PostedAlert>& alerts) {
    std::vector<PostedAlert> resolved = alerts;
    const std::string now = rfc3339_utc();
    for (auto& alert : resolved) alert.ends_at = now;
    return push(resolved);
}

HttpResult AlertmanagerProcess::silence(const std::map<std::string, std::string>& matchers,
                                        std::chrono::seconds length) {
    Poco::JSON::Object body;
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& [name, value] : matchers) {
        Poco::JSON::Object::Ptr m = new Poco::JSON::Object;
        m->set("name", name);
        m->set("value", value);
        m->set("isRegex", false);
        m->set("isEqual", true);
        list->add(m);
    }
    body.set("matchers", list);
    body.set("startsAt", rfc3339_utc());
    body.set("endsAt", rfc3339_utc(length));
    body.set("createdBy", "tickets-grouping tests");
    body.set("comment", "a silenced alert keeps its ticket");
    std::ostringstream text;
    body.stringify(text);
    return http_request(port_, "POST", "/api/v2/silences", text.str(),
                        {{"Content-Type", "application/json"}});
}

std::vector<ReportedAlert> AlertmanagerProcess::alerts() {
    const auto answer = http_get(port_, "/api/v2/alerts");
    if (answer.status != 200)
        throw std::runtime_error("GET /api/v2/alerts: status " + std::to_string(answer.status) +
                                 " " + answer.error + " " + answer.body);
    auto array = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Array::Ptr>();
    std::vector<ReportedAlert> result;
    for (size_t i = 0; i < array->size(); ++i) {
        auto item = array->getObject(i);
        ReportedAlert alert;
        alert.labels = string_map(item->getObject("labels"));
        alert.annotations = string_map(item->getObject("annotations"));
        alert.fingerprint = item->optValue<std::string>("fingerprint", "");
        alert.starts_at = item->optValue<std::string>("startsAt", "");
        alert.ends_at = item->optValue<std::string>("endsAt", "");
        if (auto status = item->getObject("status"))
            alert.state = status->optValue<std::string>("state", "");
        result.push_back(std::move(alert));
    }
    return result;
}

double AlertmanagerProcess::metric(const std::string& name, const std::string& label_filter) {
    return prometheus_metric(http_get(port_, "/metrics").body, name, label_filter);
}

double prometheus_metric(const std::string& exposition, const std::string& metric,
                         const std::string& label_filter) {
    double sum = 0;
    std::istringstream in(exposition);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#' || line.rfind(metric, 0) != 0) continue;
        const char next = line.size() > metric.size() ? line[metric.size()] : '\0';
        if (next != '{' && next != ' ') continue;  // another metric with this prefix
        const size_t space = line.rfind(' ');
        if (space == std::string::npos) continue;
        const std::string labels = line.substr(metric.size(), space - metric.size());
        if (!label_filter.empty() && labels.find(label_filter) == std::string::npos) continue;
        sum += std::strtod(line.c_str() + space + 1, nullptr);
    }
    return sum;
}

}  // namespace tg::test
