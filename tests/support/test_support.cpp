#include "test_support.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tg::test {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> read_lines(const std::string& path) {
    // Whole lines only: a process may be in the middle of appending the last one.
    if (!std::filesystem::exists(path)) return {};
    std::string text = read_file(path);
    text.erase(text.find_last_of('\n') + 1);
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

size_t occurrences(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

std::vector<Poco::JSON::Object::Ptr> read_json_lines(const std::string& path) {
    std::vector<Poco::JSON::Object::Ptr> objects;
    for (const auto& line : read_lines(path))
        objects.push_back(Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>());
    return objects;
}

int64_t metric_value(const std::string& page, const std::string& series) {
    const std::string text = "\n" + page;
    const auto at = text.find("\n" + series + " ");  // a sample line, not the HELP text
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + series.size() + 2));
}

std::string fixture(const std::string& name) {
    return read_file(std::string(TG_TEST_SOURCE_DIR) + "/fixtures/alertmanager/" + name);
}

std::string host_binary() { return TG_TEST_HOST_BINARY; }
std::string plugin_dir() { return TG_TEST_PLUGIN_DIR; }

int free_port() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    return socket.address().port();
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tg-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    if (!std::getenv("TG_TEST_KEEP")) std::filesystem::remove_all(path_, ec);
}

HttpResult http_request(int port, const std::string& method, const std::string& path,
                        const std::string& body, const std::map<std::string, std::string>& headers,
                        std::chrono::milliseconds timeout) {
    return http_request_at("127.0.0.1", port, method, path, body, headers, timeout);
}

std::string non_loopback_address() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return "";
    std::string found;
    for (ifaddrs* i = list; i && found.empty(); i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK) ||
            !(i->ifa_flags & IFF_UP))
            continue;
        char text[INET_ADDRSTRLEN];
        const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) found = text;
    }
    freeifaddrs(list);
    return found;
}

HttpResult http_request_at(const std::string& address, int port, const std::string& method,
                           const std::string& path, const std::string& body,
                           const std::map<std::string, std::string>& headers,
                           std::chrono::milliseconds timeout) {
    HttpResult result;
    try {
        Poco::Net::HTTPClientSession session(address, static_cast<Poco::UInt16>(port));
        session.setTimeout(
            Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()));
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : headers) request.set(name, value);
        if (!body.empty() || method == "POST" || method == "PUT")
            request.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        Poco::StreamCopier::copyToString(in, result.body);
        result.status = response.getStatus();
    } catch (const Poco::Exception& e) {
        result.error = e.displayText();
    } catch (const std::exception& e) {
        result.error = e.what();
    }
    return result;
}

int run_command(const std::vector<std::string>& argv, std::string& output,
                const std::map<std::string, std::string>& env) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fds[1], 1);
        dup2(pipe_fds[1], 2);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    output.clear();
    char buffer[4096];
    ssize_t n;
    while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0)
        output.append(buffer, static_cast<size_t>(n));
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

HostProcess::HostProcess(const std::vector<std::string>& args, const std::string& log_path,
                         const std::map<std::string, std::string>& env, int port,
                         const std::string& binary, const std::string& bind)
    : port_(port ? port : free_port()), log_path_(log_path) {
    std::vector<std::string> argv{binary.empty() ? host_binary() : binary};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--listen");
    argv.push_back(bind + ":" + std::to_string(port_));
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> raw;
        for (const auto& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
        raw.push_back(nullptr);
        execv(raw[0], raw.data());
        _exit(127);
    }
}

HostProcess::~HostProcess() {
    if (pid_ > 0) kill_hard();
}

bool HostProcess::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

bool HostProcess::wait_ready(std::chrono::milliseconds timeout) {
    return eventually([&] { return !running() || http_get(port_, "/healthz").status == 200; },
                      timeout) &&
           running();
}

void HostProcess::send_signal(int signal) {
    if (pid_ > 0) ::kill(pid_, signal);
}

void HostProcess::kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

int HostProcess::terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; ++i) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            if (code != 0) {
                // Why it did not stop cleanly (a sanitizer report, an abort) is at the log's end.
                const std::string text = log();
                std::fprintf(stderr, "host exited with %d on SIGTERM; its log ends with:\n%s\n",
                             code,
                             text.substr(text.size() > 8000 ? text.size() - 8000 : 0).c_str());
            }
            return code;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill_hard();
    return -1;
}

std::string HostProcess::log() const {
    try {
        return read_file(log_path_);
    } catch (...) {
        return "";
    }
}

std::string offline_env_file(const TempDir& dir, const std::string& extra) {
    const std::string path = dir / "tickets-grouping.env";
    write_file(path,
               "REDMINE_URL=http://127.0.0.1:9\nREDMINE_API_KEY=0123456789abcdef\n"
               "REDMINE_PROJECT_ID=alerts\n" +
                   extra);
    return path;
}

}  // namespace tg::test
