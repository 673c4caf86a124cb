// Shared by the fault tests: a TCP proxy that can take "Redmine" away and give it back, raw
// socket clients for malformed HTTP, Alertmanager-like bursts, and a census of what Redmine holds.
#pragma once

#include "test_support.hpp"

#include <Poco/JSON/Object.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tg::faults {

// Forwards 127.0.0.1:<port()> to 127.0.0.1:<target_port>. down() closes the listener and resets
// every open connection (requests in flight may have reached the target, their answers are
// lost), as a crashed server would; up() listens on the same port again.
class TcpProxy {
  public:
    explicit TcpProxy(int target_port);
    ~TcpProxy();
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;
    int port() const { return port_; }
    void down();
    void up();
    uint64_t connections() const { return connections_; }
    // The next `count` requests that start with `request_start` (e.g. "PUT /issues/") reach the
    // target, but their answers do not come back: the connection is reset when the answer
    // arrives, as when a network drops between a server's commit and its reply.
    void lose_answers(const std::string& request_start, int count);
    int answers_lost() const { return answers_lost_; }
    // Requests whose bytes (as first read: a request line, headers and a small body) hold `part`
    // never reach the target: the proxy answers them 500 itself, as a target that fails on that
    // content alone would, while every other request goes through.
    void refuse(const std::string& part);
    int refused() const { return refused_; }

  private:
    void listen();
    void accept_loop(int listener);
    void pump(int client, int upstream);

    int target_port_;
    int port_ = 0;
    std::mutex mutex_;
    int listener_ = -1;
    std::set<int> open_;  // client and upstream sockets of live connections
    std::thread acceptor_;
    std::vector<std::thread> pumps_;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> connections_{0};
    std::string lose_prefix_;  // under mutex_
    int lose_count_ = 0;       // under mutex_
    std::atomic<int> answers_lost_{0};
    std::string refuse_part_;  // under mutex_
    std::atomic<int> refused_{0};
};

// An answer read off a raw socket: the status code, 0 when the connection was closed without
// one, -1 when nothing came within the timeout.
struct RawAnswer {
    int status = -1;
    std::string text;
    double seconds = 0;
};

int connect_loopback(int port);  // a blocking TCP socket, -1 on failure
RawAnswer read_answer(int fd, std::chrono::milliseconds timeout);
// Sends `request` (headers and body, as is); half-closes when `shutdown_write`.
RawAnswer raw_exchange(int port, const std::string& request, bool shutdown_write,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A webhook body as Alertmanager sends it for the group `alertname`, holding `hosts`.
std::string group_body(const std::string& alertname, const std::vector<std::string>& hosts,
                       const std::string& status = "firing",
                       const std::string& external_url = "http://alertmanager:9093");

// POSTs until the host answers 200 (as Alertmanager retries); counts the answers that were not.
struct Sender {
    int port;
    std::atomic<uint64_t> sent{0}, acknowledged{0}, refused{0}, unanswered{0};
    explicit Sender(int p) : port(p) {}
    // Returns once acknowledged, or false after `deadline`.
    bool deliver(const std::string& body,
                 std::chrono::seconds deadline = std::chrono::seconds(120));
};

// Runs `work(i)` for i in [0, count) on `threads` threads.
void parallel_for(size_t count, size_t threads, const std::function<void(size_t)>& work);

int64_t metric(int port, const std::string& series);  // -1 when absent

struct Census {
    size_t issues = 0;
    size_t distinct_subjects = 0;
    size_t duplicates = 0;  // issues - distinct subjects
    size_t roots = 0;
    size_t children = 0;
    size_t expected_found = 0;           // expected subjects present
    size_t wrong_parent = 0;             // children of an unexpected parent
    std::vector<std::string> problems;   // first few, for the failure message
    std::map<std::string, int64_t> ids;  // subject -> id (one of them)
};

// Checks Redmine's issues (as listed by /issues.json) against what `alertnames` × `hosts` must
// leave: one "[Root] [Alert] A" per alertname, one "[Alert] A (h)" per pair, each under its Root.
Census census(const std::vector<Poco::JSON::Object::Ptr>& issues,
              const std::vector<std::string>& alertnames, const std::vector<std::string>& hosts);

std::vector<std::string> names(const std::string& prefix, size_t count);  // prefix01, prefix02...

// The figures every fault test prints.
void report(const std::string& scenario, uint64_t sent, uint64_t acknowledged, size_t expected,
            size_t found, size_t duplicates, double seconds, const std::string& extra = "");

}  // namespace tg::faults
