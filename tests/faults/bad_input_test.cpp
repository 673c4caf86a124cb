// Bad input at the webhook, against a host with log_sink: each gets a clear 4xx or is cut off,
// none is half-applied (log_sink receives nothing from it), and the server keeps serving others.
// Prints a table of each input and what it got back.
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <iostream>

using namespace tg;
using namespace tg::faults;

namespace {

std::string post_request(const std::string& body, const std::string& extra_headers = "") {
    return "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: "
           "application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

std::string alert(const std::string& instance, const std::string& extra_labels = "") {
    return R"({"labels":{"alertname":"Bad","instance":")" + instance + "\"" + extra_labels + "}}";
}

std::string one(const std::string& instance, const std::string& extra_labels = "") {
    return R"({"alerts":[)" + alert(instance, extra_labels) + "]}";
}

struct Row {
    std::string input;
    std::string expected;
    std::string got;
    double seconds;
    bool ok;
};

class Bench {
  public:
    Bench() {
        test::write_file(
            dir_ / "routes.yaml",
            "server:\n  max_body_bytes: 4194304\n  read_timeout: 3s\n"
            "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
                out() +
                "\n"
                "  other:\n    plugin: log_sink\n    config:\n      path: " +
                dir_ / "other.jsonl" +
                "\n"
                "route:\n  sink: logs\n  routes:\n"
                "    - {matchers: ['instance =~ \".*x.*y\"'], sink: other, continue: true}\n"
                "    - {matchers: ['instance !~ \"(a|b)*c\"'], sink: logs}\n");
        host_ = std::make_unique<test::HostProcess>(
            std::vector<std::string>{"--config", dir_ / "routes.yaml", "--state-dir",
                                     dir_ / "state"},
            dir_ / "host.log");
        REQUIRE(host_->wait_ready());
    }
    ~Bench() {
        std::printf("\n%-58s | %-14s | %-44s | %6s | %s\n", "bad input", "expected", "got back",
                    "time", "ok");
        std::printf("%s\n", std::string(140, '-').c_str());
        for (const auto& r : rows_)
            std::printf("%-58s | %-14s | %-44s | %5.2fs | %s\n", r.input.c_str(),
                        r.expected.c_str(), r.got.substr(0, 44).c_str(), r.seconds,
                        r.ok ? "yes" : "NO");
        std::fflush(stdout);
    }
    int port() const { return host_->port(); }
    std::string out() const { return dir_ / "alerts.jsonl"; }
    test::HostProcess& host() { return *host_; }

    // Records a case; checks that the server still serves and that `marker` never reached a sink.
    void record(const std::string& input, const std::string& expected, const RawAnswer& answer,
                bool ok, const std::string& marker) {
        std::string got = answer.status > 0    ? std::to_string(answer.status)
                          : answer.status == 0 ? "closed without answer"
                                               : "no answer in time";
        const auto body_at = answer.text.find("\r\n\r\n");
        if (answer.status > 0 && body_at != std::string::npos)
            got += " " + answer.text.substr(body_at + 4, 60);
        for (auto& c : got)
            if (c == '\n' || c == '\r') c = ' ';
        // A probe goes through after the bad input: once it is delivered, anything the bad input
        // might have spooled before it would have been delivered too.
        const std::string probe = "probe-" + std::to_string(++probes_);
        const bool serving = test::http_post(port(), "/webhook", one(probe)).status == 200;
        const bool probe_delivered =
            test::eventually([&] { return count("\"" + probe + "\"") == 1; });
        const bool leaked = !marker.empty() && count(marker) != 0;
        const bool good = ok && serving && probe_delivered && !leaked;
        rows_.push_back(
            {input, expected,
             got + (leaked ? " [LEAKED to sink]" : "") + (serving ? "" : " [NOT SERVING]"),
             answer.seconds, good});
        INFO(input << " -> " << got << " (probe " << probe << " delivered "
                   << count("\"" + probe + "\"") << " times)");
        CHECK(ok);
        CHECK(serving);
        CHECK(probe_delivered);
        CHECK_FALSE(leaked);
    }
    size_t count(const std::string& part) const {
        std::ifstream in(out());
        size_t n = 0;
        for (std::string line; std::getline(in, line);)
            n += line.find(part) != std::string::npos ? 1 : 0;
        return n;
    }

  private:
    test::TempDir dir_;
    std::unique_ptr<test::HostProcess> host_;
    std::vector<Row> rows_;
    size_t probes_ = 0;
};

bool is(const RawAnswer& a, std::initializer_list<int> statuses) {
    for (int s : statuses)
        if (a.status == s) return true;
    return false;
}

}  // namespace

TEST_CASE(
    "bad input at the webhook: a clear 4xx or cut off, never half-applied, others still served",
    "[faults][input]") {
    Bench bench;
    const int port = bench.port();
    auto simple = [&](const std::string& input, const std::string& body,
                      std::initializer_list<int> statuses, const std::string& marker) {
        const auto answer = raw_exchange(port, post_request(body), false);
        bench.record(input, statuses.size() == 1 ? std::to_string(*statuses.begin()) : "4xx",
                     answer, is(answer, statuses), marker);
    };

    simple("malformed JSON (cut in the middle)",
           R"({"alerts":[{"labels":{"alertname":"x","instance":"bad-m)", {400}, "bad-m");
    simple("not an object: [1,2]", "[1,2]", {400}, "");
    simple("empty body", "", {400}, "");
    simple("alerts is a string", R"({"alerts":"bad-s"})", {422}, "bad-s");
    simple("a label value is a number",
           R"({"alerts":[{"labels":{"alertname":"x","instance":"bad-n","n":1}}]})", {422}, "bad-n");
    simple("one good alert then one with a wrong type",
           R"({"alerts":[)" + alert("bad-half") +
               R"(,{"labels":{"alertname":"x","instance":"bad-half2"},"startsAt":5}]})",
           {422}, "bad-half");
    simple("status neither firing nor resolved",
           R"({"alerts":[{"status":"burning",)" + alert("bad-st").substr(1) + "]}", {422},
           "bad-st");
    simple("startsAt not RFC 3339",
           R"({"alerts":[{"startsAt":"yesterday",)" + alert("bad-t").substr(1) + "]}", {422},
           "bad-t");
    simple("alerts missing", R"({"receiver":"bad-missing"})", {422}, "");
    simple("alerts empty", R"({"alerts":[]})", {422}, "");
    simple("labels empty", R"({"alerts":[{"labels":{}}]})", {422}, "");
    simple("invalid UTF-8 in a label value", one("bad-utf8-\xC3\x28\xFF"), {400}, "bad-utf8");
    simple("invalid UTF-8: an overlong encoding", one("bad-overlong-\xC0\xAF"), {400},
           "bad-overlong");
    simple("invalid UTF-8: a lone surrogate as \\ud800", one("bad-surrogate-\\ud800"), {400, 422},
           "bad-surrogate");
    {
        std::string nested =
            R"({"alerts":[)" + std::string(100000, '[') + std::string(100000, ']') + "]}";
        simple("JSON nested 100,000 deep", nested, {400, 422}, "");
    }
    {
        std::string nested =
            R"({"alerts":[{"labels":{"alertname":"x","instance":"bad-deep"},"annotations":)" +
            [] {
                std::string s;
                for (int i = 0; i < 50; ++i) s += "{\"a\":";
                return s + "\"x\"" + std::string(50, '}');
            }() +
            "}]}";
        // 50 levels of objects: deeper than any webhook, refused before the annotations check.
        simple("annotations nested 50 deep", nested, {400, 422}, "bad-deep");
    }
    {
        std::string big = std::string(R"({"alerts":[)") + alert("bad-big") + ",";
        big += R"({"labels":{"alertname":"x","pad":")" + std::string(5 * 1024 * 1024, 'p') +
               R"("}}]})";
        const auto answer = raw_exchange(port, post_request(big), false);
        bench.record("5 MiB body, limit 4 MiB (Content-Length)", "413", answer, is(answer, {413}),
                     "bad-big");
        std::string chunked_body = big;
        std::string request =
            "POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (size_t at = 0; at < chunked_body.size(); at += 65536) {
            const auto piece = chunked_body.substr(at, 65536);
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
            request += size + piece + "\r\n";
        }
        request += "0\r\n\r\n";
        const auto chunked = raw_exchange(port, request, false);
        bench.record("5 MiB body, limit 4 MiB (chunked)", "413", chunked, is(chunked, {413}),
                     "bad-big");
    }
    {
        const std::string body = one("bad-short");
        const std::string request = "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                    std::to_string(body.size() + 100) + "\r\n\r\n" + body;
        const auto half_closed = raw_exchange(port, request, true);
        bench.record("body shorter than Content-Length, then EOF", "400", half_closed,
                     is(half_closed, {400}), "bad-short");
        const auto held = raw_exchange(port, request, false, std::chrono::seconds(20));
        bench.record("body shorter than Content-Length, held open", "cut off <=10s", held,
                     (held.status == 0 || is(held, {400, 408})) && held.seconds < 10, "bad-short");
    }
    {
        // One byte every 200 ms: the whole body would take minutes; read_timeout is 3 s.
        const std::string body = one("bad-trickle" + std::string(2000, 't'));
        const int fd = connect_loopback(port);
        REQUIRE(fd >= 0);
        const std::string head =
            "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n";
        ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
        const auto t0 = std::chrono::steady_clock::now();
        size_t sent = 0;
        for (; sent < body.size(); ++sent) {
            if (::send(fd, body.data() + sent, 1, MSG_NOSIGNAL) != 1) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(30)) break;
        }
        auto answer = read_answer(fd, std::chrono::seconds(2));
        answer.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        ::close(fd);
        bench.record("body trickled 1 byte / 200 ms (read_timeout 3s)", "cut off <=10s", answer,
                     (answer.status == 0 || is(answer, {400, 408})) && answer.seconds < 10,
                     "bad-trickle");
    }
    {
        const auto answer = raw_exchange(port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", false);
        bench.record("GET /nope", "404", answer, is(answer, {404}), "");
        const auto get = raw_exchange(port, "GET /webhook HTTP/1.1\r\nHost: x\r\n\r\n", false);
        bench.record("GET /webhook", "405", get, is(get, {405}), "");
        const auto del = raw_exchange(port, "DELETE /webhook HTTP/1.1\r\nHost: x\r\n\r\n", false);
        bench.record("DELETE /webhook", "405", del, is(del, {405}), "");
        const auto put =
            raw_exchange(port,
                         "PUT /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                             std::to_string(one("bad-put").size()) + "\r\n\r\n" + one("bad-put"),
                         false);
        bench.record("PUT /webhook with a valid body", "405", put, is(put, {405}), "bad-put");
        const auto junk = raw_exchange(port, "HELLO THERE\r\n\r\n", false);
        bench.record("not HTTP: HELLO THERE", "400 or closed", junk,
                     junk.status == 0 || is(junk, {400}), "");
        const auto binary = raw_exchange(
            port, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), false);
        bench.record("TLS ClientHello to the plain port", "400 or closed", binary,
                     binary.status == 0 || is(binary, {400}), "");
        const auto long_uri = raw_exchange(
            port, "GET /" + std::string(100000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", false);
        bench.record("GET with a 100 KB URI", "4xx or closed", long_uri,
                     long_uri.status == 0 || (long_uri.status >= 400 && long_uri.status < 500), "");
    }
    {
        // Valid but large: 10,000 alerts in one body; all delivered, in one piece.
        std::string body = R"({"alerts":[)";
        for (int i = 0; i < 10000; ++i) body += (i ? "," : "") + alert("many-" + std::to_string(i));
        body += "]}";
        const auto answer = raw_exchange(port, post_request(body), false, std::chrono::seconds(30));
        const bool all = test::eventually([&] { return bench.count("\"many-") == 10000; },
                                          std::chrono::seconds(60));
        bench.record("10,000 alerts in one body (" + std::to_string(body.size() / 1024) + " KiB)",
                     "200, all 10000", answer, is(answer, {200}) && all, "");
    }
    {
        // 100 KB and 1 MB label values against the routes' regex matchers (RE2, linear; the
        // std::regex of earlier versions recursed per character in its default executor).
        for (size_t size : {size_t{100 * 1024}, size_t{1024 * 1024}}) {
            const std::string value = "big-" + std::to_string(size) + "-" + std::string(size, 'x');
            const auto answer =
                raw_exchange(port, post_request(one(value)), false, std::chrono::seconds(30));
            const bool delivered = test::eventually(
                [&] { return bench.count("big-" + std::to_string(size) + "-") == 1; });
            bench.record("a label value of " + std::to_string(size / 1024) + " KiB (regex routes)",
                         "200, delivered", answer,
                         is(answer, {200}) && delivered && bench.host().running(), "");
        }
    }
    {
        // Thousands of idle connections (nothing sent): a new client still gets its 200 quickly.
        rlimit limit{};
        ::getrlimit(RLIMIT_NOFILE, &limit);
        const size_t idle_count =
            std::min<size_t>(2000, limit.rlim_cur > 200 ? limit.rlim_cur - 200 : 0);
        std::vector<int> idle;
        for (size_t i = 0; i < idle_count; ++i) {
            const int fd = connect_loopback(port);
            if (fd >= 0) idle.push_back(fd);
        }
        const auto t0 = std::chrono::steady_clock::now();
        test::HttpResult result;
        int attempts = 0;
        while (std::chrono::steady_clock::now() - t0 <
               std::chrono::seconds(30)) {  // retrying, as Alertmanager
            ++attempts;
            result =
                test::http_request(port, "POST", "/webhook", one("after-idle"),
                                   {{"Content-Type", "application/json"}}, std::chrono::seconds(5));
            if (result.status == 200) break;
        }
        RawAnswer answer{
            result.status,
            "HTTP/1.1 " + std::to_string(result.status) + "\r\n\r\n" + result.body + " (attempts " +
                std::to_string(attempts) + ")",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
        for (int fd : idle) ::close(fd);
        bench.record(std::to_string(idle.size()) + " idle connections, then a new client",
                     "200 in <5s", answer, result.status == 200 && answer.seconds < 5, "");
    }
    CHECK(bench.host().terminate() == 0);
}
