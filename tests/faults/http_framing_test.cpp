// How requests are framed on a connection: a body no handler reads is never parsed as the next
// request (request smuggling), both framings at once are refused, and a request target that does
// not decode is the client's error. Raw sockets against a real host with log_sink.
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

using namespace tg;
using namespace tg::faults;

namespace {

std::string webhook_request(const std::string& instance) {
    const std::string body =
        R"({"alerts":[{"labels":{"alertname":"Smuggled","instance":")" + instance + R"("}}]})";
    return "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Everything the host answers on one connection until it closes it (or 3 s of silence).
std::string exchange_all(int port, const std::string& request) {
    const int fd = connect_loopback(port);
    REQUIRE(fd >= 0);
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string text;
    for (;;) {
        const auto answer = read_answer(fd, std::chrono::seconds(3));
        text += answer.text;
        if (answer.status <= 0) break;
    }
    ::close(fd);
    return text;
}

class Host {
  public:
    Host() {
        test::write_file(dir_ / "routes.yaml",
                         "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
                             out() + "\nroute:\n  sink: logs\n");
        host_ = std::make_unique<test::HostProcess>(
            std::vector<std::string>{"--config", dir_ / "routes.yaml", "--state-dir",
                                     dir_ / "state"},
            dir_ / "host.log");
        REQUIRE(host_->wait_ready());
    }
    int port() const { return host_->port(); }
    std::string out() const { return dir_ / "alerts.jsonl"; }
    // Once a probe sent now is delivered, whatever was spooled before it has been delivered too.
    size_t delivered_before_probe(const std::string& part) {
        const std::string probe = "probe-" + std::to_string(++probes_);
        REQUIRE(test::http_post(port(), "/webhook",
                                R"({"alerts":[{"labels":{"alertname":"Probe","instance":")" +
                                    probe + R"("}}]})")
                    .status == 200);
        REQUIRE(test::eventually([&] { return count(probe) == 1; }));
        return count(part);
    }
    test::HostProcess& process() { return *host_; }

  private:
    size_t count(const std::string& part) const {
        size_t n = 0;
        for (const auto& line : test::read_lines(out())) n += line.find(part) != std::string::npos;
        return n;
    }
    test::TempDir dir_;
    std::unique_ptr<test::HostProcess> host_;
    int probes_ = 0;
};

}  // namespace

TEST_CASE(
    "request smuggling: a body the 405, 404, /-/reload and GET handlers leave unread is never "
    "taken for the next request",
    "[faults][smuggling]") {
    Host host;
    struct Case {
        std::string request_line;
        int status;
    };
    const std::vector<Case> cases{{"PUT /webhook", 405},  {"DELETE /webhook", 405},
                                  {"POST /nowhere", 404}, {"POST /-/reload", 200},
                                  {"GET /healthz", 200},  {"GET /readyz", 200},
                                  {"GET /metrics", 200}};
    int n = 0;
    for (const auto& c : cases) {
        const std::string smuggled = webhook_request("smuggled-" + std::to_string(++n));
        const std::string request = c.request_line + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                    std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled;
        const std::string answers = exchange_all(host.port(), request);
        INFO(c.request_line << " answered:\n" << answers);
        CHECK(answers.rfind("HTTP/1.1 " + std::to_string(c.status), 0) == 0);
        CHECK(test::occurrences(answers, "HTTP/1.1 ") == 1);  // the smuggled one got no answer
    }
    CHECK(host.delivered_before_probe("smuggled-") == 0);
    CHECK(host.process().terminate() == 0);
}

TEST_CASE("request smuggling: Content-Length with Transfer-Encoding: chunked is refused",
          "[faults][smuggling]") {
    Host host;
    const std::string smuggled = webhook_request("te-cl");
    const std::string chunk = smuggled.substr(0, 10);
    const std::string request =
        "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\na\r\n" +
        chunk + "\r\n0\r\n\r\n" + smuggled;
    const std::string answers = exchange_all(host.port(), request);
    INFO(answers);
    CHECK(answers.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(test::occurrences(answers, "HTTP/1.1 ") == 1);
    CHECK(host.delivered_before_probe("te-cl") == 0);
}

TEST_CASE("GET /%zz (a bad percent escape) answers 400, not 500", "[faults][input]") {
    Host host;
    for (const char* target : {"/%zz", "/webhook%", "/%", "/-/reload%g0"}) {
        const auto answer = raw_exchange(
            host.port(), std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n", false);
        INFO(target << " -> " << answer.text);
        CHECK(answer.status == 400);
        CHECK(answer.text.find("malformed request target") != std::string::npos);
    }
    CHECK(test::http_get(host.port(), "/healthz").status == 200);
}

TEST_CASE(
    "one poison notification: a control character in a label is refused with 422 naming the "
    "field, and nothing of it is delivered",
    "[faults][input]") {
    Host host;
    const auto answer =
        test::http_post(host.port(), "/webhook",
                        R"({"alerts":[{"labels":{"alertname":"Poison","instance":"ok-1"}},)"
                        R"({"labels":{"alertname":"Poison","instance":"poison\u0000"}}]})");
    CHECK(answer.status == 422);
    CHECK(answer.body.find("alerts[1].labels.instance: control character U+0000") !=
          std::string::npos);
    CHECK(host.delivered_before_probe("Poison") == 0);
    // Tab and newline are text.
    CHECK(test::http_post(host.port(), "/webhook",
                          R"({"alerts":[{"labels":{"alertname":"Fine","instance":"a\tb"},)"
                          R"("annotations":{"description":"line 1\nline 2"}}]})")
              .status == 200);
    CHECK(host.delivered_before_probe("Fine") == 1);
}
