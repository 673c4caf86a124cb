// Slow headers (slowloris): 400 connections that trickle their request heads, a byte a second,
// reconnecting when cut off, while a normal client posts every half second. Every post of the
// normal client gets its 200 within 5 s, on a plain and on a TLS listener (the tricklers there
// either trickle the TLS ClientHello or complete the handshake and trickle the head).
// Prints its figures ("FAULTS slow headers ...").
#include "fault_support.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

using namespace tg;
using namespace tg::faults;

namespace {

constexpr int tricklers = 400;
const std::string head =
    "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "X-Slow: " +
    std::string(200, 'z') + "\r\n\r\n";

// One connection of the attack: a plain socket, or TLS before or after its handshake.
class Trickler {
  public:
    enum class Kind { plain, tls_hello, tls_head };
    Trickler(Kind kind, int port) : kind_(kind), port_(port) {}
    ~Trickler() { drop(); }
    // Sends the next byte, reconnecting first when the server has cut the connection.
    void step() {
        if (!connected_ && !connect()) return;
        if (!send_next()) {
            drop();
            ++reconnects;
        }
    }
    int reconnects = 0;

  private:
    bool connect() {
        sent_ = 0;
        try {
            if (kind_ == Kind::tls_head) {
                static Poco::Net::Context::Ptr context = new Poco::Net::Context(
                    Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_NONE);
                tls_ = std::make_unique<Poco::Net::SecureStreamSocket>(
                    Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port_)),
                    context);
                tls_->setReceiveTimeout(Poco::Timespan(0, 100000));
            } else {
                fd_ = connect_loopback(port_);
                if (fd_ < 0) return false;
            }
        } catch (const Poco::Exception&) {
            return false;
        }
        connected_ = true;
        return true;
    }
    bool send_next() {
        // A TLS 1.2 ClientHello's first bytes, for the connections that never finish it.
        static const std::string hello =
            std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(200, 'B');
        const std::string& bytes = kind_ == Kind::tls_hello ? hello : head;
        if (sent_ + 1 >= bytes.size()) return true;  // never the last byte
        try {
            if (tls_) return tls_->sendBytes(&bytes[sent_++], 1) == 1;
        } catch (const Poco::Exception&) {
            return false;
        }
        char probe;
        if (::recv(fd_, &probe, 1, MSG_DONTWAIT | MSG_PEEK) == 0) return false;  // closed
        return ::send(fd_, &bytes[sent_++], 1, MSG_NOSIGNAL) == 1;
    }
    void drop() {
        tls_.reset();
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        connected_ = false;
    }
    Kind kind_;
    int port_;
    int fd_ = -1;
    std::unique_ptr<Poco::Net::SecureStreamSocket> tls_;
    bool connected_ = false;
    size_t sent_ = 0;
};

struct Outcome {
    int posts = 0, answered = 0;
    double slowest = 0;
    int reconnects = 0;
};

// `post` sends one normal webhook and says whether it got 200 within 5 s.
template <class Post>
Outcome attack(int port, const std::vector<Trickler::Kind>& kinds, Post post) {
    std::vector<std::unique_ptr<Trickler>> conns;
    for (int i = 0; i < tricklers; ++i)
        conns.push_back(std::make_unique<Trickler>(kinds[i % kinds.size()], port));
    std::atomic<bool> done{false};
    std::thread slow([&] {
        while (!done) {
            for (auto& c : conns) c->step();
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    });
    std::this_thread::sleep_for(std::chrono::seconds(3));  // all of them in place
    Outcome outcome;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < until) {
        const auto t0 = std::chrono::steady_clock::now();
        ++outcome.posts;
        if (post()) ++outcome.answered;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        outcome.slowest = std::max(outcome.slowest, seconds);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    done = true;
    slow.join();
    for (auto& c : conns) outcome.reconnects += c->reconnects;
    return outcome;
}

// Every post of the normal client was answered in time, and the host lived through it.
void check_not_locked_out(const char* listener, const Outcome& o, test::HostProcess& host);

void report(const char* listener, const Outcome& o) {
    std::printf(
        "FAULTS slow headers (%s): %d connections trickling a byte a second (%d cut off and "
        "reconnected); normal posts answered 200: %d/%d, slowest %.2fs\n",
        listener, tricklers, o.reconnects, o.answered, o.posts, o.slowest);
    std::fflush(stdout);
}

void check_not_locked_out(const char* listener, const Outcome& o, test::HostProcess& host) {
    report(listener, o);
    CHECK(o.answered == o.posts);
    CHECK(o.slowest < 5);
    CHECK(host.running());
}

const std::string body = R"({"alerts":[{"labels":{"alertname":"Normal","instance":"web01"}}]})";

std::string routes(const test::TempDir& dir, const std::string& server) {
    const std::string path = dir / "routes.yaml";
    test::write_file(path, "server:\n" + server +
                               "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
                               (dir / "alerts.jsonl") + "\nroute:\n  sink: logs\n");
    return path;
}

}  // namespace

TEST_CASE("slow headers: 400 connections trickling their heads do not lock out a normal client",
          "[faults][slowloris]") {
    test::TempDir dir;
    test::HostProcess host(
        {"--config", routes(dir, "  max_queued: 256\n"), "--state-dir", dir / "state"},
        dir / "host.log");
    REQUIRE(host.wait_ready());
    const auto outcome = attack(host.port(), {Trickler::Kind::plain}, [&] {
        return test::http_request(host.port(), "POST", "/webhook", body,
                                  {{"Content-Type", "application/json"}}, std::chrono::seconds(5))
                   .status == 200;
    });
    check_not_locked_out("plain", outcome, host);
}

TEST_CASE(
    "slow headers: 400 connections trickling a TLS handshake or head do not lock out a normal "
    "TLS client",
    "[faults][slowloris]") {
    test::TempDir dir;
    std::string output;
    REQUIRE(test::run_command(
                {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                 "/CN=127.0.0.1", "-keyout", dir / "key.pem", "-out", dir / "cert.pem"},
                output) == 0);
    test::HostProcess host({"--config",
                            routes(dir, "  tls:\n    cert_file: " + (dir / "cert.pem") +
                                            "\n    key_file: " + (dir / "key.pem") + "\n"),
                            "--state-dir", dir / "state"},
                           dir / "host.log");
    const std::string url = "https://127.0.0.1:" + std::to_string(host.port());
    REQUIRE(test::eventually([&] {
        return test::run_command({"curl", "-sk", "--max-time", "2", url + "/healthz"}, output) == 0;
    }));
    Poco::Net::initializeSSL();
    const auto outcome =
        attack(host.port(), {Trickler::Kind::tls_hello, Trickler::Kind::tls_head}, [&] {
            std::string answer;
            return test::run_command(
                       {"curl", "-sk", "--max-time", "5", "-H", "Content-Type: application/json",
                        "-d", body, url + "/webhook"},
                       answer) == 0 &&
                   answer == R"({"status":"ok"})";
        });
    check_not_locked_out("TLS", outcome, host);
}

TEST_CASE(
    "slow headers: a head not whole within head_timeout gets 408, pipelined and kept-alive "
    "requests are all answered, and idle keep-alive connections hold no thread",
    "[faults][slowloris]") {
    test::TempDir dir;
    test::HostProcess host({"--config", routes(dir, "  head_timeout: 1s\n  max_threads: 4\n"),
                            "--state-dir", dir / "state"},
                           dir / "host.log");
    REQUIRE(host.wait_ready());
    {
        const int fd = connect_loopback(host.port());
        const std::string part = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
        ::send(fd, part.data(), part.size(), MSG_NOSIGNAL);
        const auto answer = read_answer(fd, std::chrono::seconds(5));
        ::close(fd);
        INFO(answer.text);
        CHECK(answer.status == 408);
        CHECK(answer.seconds < 4);
    }
    {
        const int fd = connect_loopback(host.port());
        const std::string three =
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        ::send(fd, three.data(), three.size(), MSG_NOSIGNAL);
        std::string text;
        for (int i = 0; i < 3; ++i) text += read_answer(fd, std::chrono::seconds(5)).text;
        ::close(fd);
        INFO(text);
        CHECK(test::occurrences(text, "HTTP/1.1 200") == 2);
        CHECK(test::occurrences(text, "HTTP/1.1 404") == 1);
    }
    // 50 kept-alive connections, each after one answer, idle: with 4 threads a new client still
    // gets its answer at once.
    std::vector<int> kept;
    for (int i = 0; i < 50; ++i) {
        const int fd = connect_loopback(host.port());
        const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        ::send(fd, get.data(), get.size(), MSG_NOSIGNAL);
        CHECK(read_answer(fd, std::chrono::seconds(5)).status == 200);
        kept.push_back(fd);
    }
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(test::http_request(host.port(), "POST", "/webhook", body,
                             {{"Content-Type", "application/json"}}, std::chrono::seconds(3))
              .status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    // A kept-alive connection still serves its next request.
    const std::string again = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    ::send(kept.front(), again.data(), again.size(), MSG_NOSIGNAL);
    CHECK(read_answer(kept.front(), std::chrono::seconds(5)).status == 200);
    for (int fd : kept) ::close(fd);
    CHECK(host.terminate() == 0);
}
