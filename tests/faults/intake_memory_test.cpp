// Memory amplification at intake: 64 clients post a 9 MiB body of one-label alerts at once. The
// host's peak RSS (VmHWM) stays under 256 MB, /healthz answers throughout, and what the intake
// budget cannot take now is refused with 503 and Retry-After (or, with the default max_alerts,
// 413). Prints its figures ("FAULTS intake memory ...").
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

using namespace tg;
using namespace tg::faults;

namespace {

constexpr size_t body_size = 9u << 20;
constexpr int clients = 64;

std::string tiny_alerts_body(int client) {
    std::string body = R"({"alerts":[)";
    body.reserve(body_size + 64);
    for (int i = 0; body.size() < body_size; ++i)
        body += (i ? "," : "") + std::string(R"({"labels":{"a":")") + std::to_string(client) + "-" +
                std::to_string(i) + "\"}}";
    return body + "]}";
}

long vm_hwm_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

struct Wave {
    std::map<int, int> statuses;  // status -> clients (0: the connection was reset unanswered)
    int retry_after = 0;          // 503s that said Retry-After
    int healthz_failures = 0;
    int healthz_checks = 0;
    long peak_kib = 0;
    double seconds = 0;
};

Wave post_all_at_once(test::HostProcess& host) {
    std::vector<std::string> bodies;
    for (int c = 0; c < clients; ++c) bodies.push_back(tiny_alerts_body(c));
    Wave wave;
    std::atomic<bool> done{false};
    std::thread probe([&] {
        while (!done) {
            ++wave.healthz_checks;
            const auto answer =
                test::http_request(host.port(), "GET", "/healthz", "", {}, std::chrono::seconds(5));
            if (answer.status != 200) ++wave.healthz_failures;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    std::mutex mutex;
    std::vector<std::thread> senders;
    const auto t0 = std::chrono::steady_clock::now();
    for (int c = 0; c < clients; ++c)
        senders.emplace_back([&, c] {
            const std::string request =
                "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: " +
                std::to_string(bodies[c].size()) + "\r\n\r\n" + bodies[c];
            const int fd = connect_loopback(host.port());
            for (size_t at = 0; fd >= 0 && at < request.size();) {
                const ssize_t n =
                    ::send(fd, request.data() + at, request.size() - at, MSG_NOSIGNAL);
                if (n <= 0) break;  // refused early: read what it said
                at += static_cast<size_t>(n);
            }
            const auto answer = fd >= 0 ? read_answer(fd, std::chrono::seconds(120)) : RawAnswer{};
            if (fd >= 0) ::close(fd);
            std::lock_guard lock(mutex);
            ++wave.statuses[std::max(answer.status, 0)];
            if (answer.status == 503 && answer.text.find("Retry-After: ") != std::string::npos)
                ++wave.retry_after;
        });
    for (auto& t : senders) t.join();
    wave.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    done = true;
    probe.join();
    wave.peak_kib = vm_hwm_kib(host.pid());
    return wave;
}

// The 256 MB bound is the production build's: AddressSanitizer's shadow memory and quarantine of
// freed blocks take several times that, so a sanitizer build reports the figure only.
void check_peak(const Wave& wave) {
    CHECK(wave.peak_kib > 0);
    if (TG_TEST_SANITIZED)
        WARN("sanitizer build: peak RSS " << wave.peak_kib / 1024 << " MB, not checked");
    else
        CHECK(wave.peak_kib < 256 * 1024);
}

void report(const char* scenario, const Wave& wave) {
    std::string statuses;
    for (const auto& [status, n] : wave.statuses)
        statuses += " " + std::to_string(status) + "x" + std::to_string(n);
    std::printf(
        "FAULTS intake memory (%s): %d clients x %zu MiB at once in %.1fs: answers%s (%d with "
        "Retry-After); peak RSS %.1f MB; /healthz %d/%d answered\n",
        scenario, clients, body_size >> 20, wave.seconds, statuses.c_str(), wave.retry_after,
        wave.peak_kib / 1024.0, wave.healthz_checks - wave.healthz_failures, wave.healthz_checks);
    std::fflush(stdout);
}

std::string routes(const test::TempDir& dir, const std::string& server) {
    const std::string path = dir / "routes.yaml";
    test::write_file(path, "server:\n  read_timeout: 60s\n" + server +
                               "sinks:\n  quick:\n    plugin: " + TG_FAULT_SINK_PATH +
                               "\n    config: {mode: ok}\nroute:\n  sink: quick\n");
    return path;
}

}  // namespace

TEST_CASE(
    "memory amplification at intake: 64 concurrent 9 MiB bodies of one-label alerts, parsed "
    "in full, keep the peak RSS under 256 MB and /healthz answering",
    "[faults][memory]") {
    test::TempDir dir;
    // Room for every alert of a body: each admitted body is parsed, routed and spooled in full.
    test::HostProcess host(
        {"--config", routes(dir, "  max_alerts: 1000000\n"), "--state-dir", dir / "state"},
        dir / "host.log");
    REQUIRE(host.wait_ready());
    Wave wave = post_all_at_once(host);
    report("max_alerts 1000000", wave);
    CHECK(host.running());
    check_peak(wave);
    CHECK(wave.healthz_failures == 0);
    CHECK(wave.statuses.count(200) == 1);  // some were taken in full...
    CHECK(wave.statuses[200] + wave.statuses[503] + wave.statuses[0] == clients);  // ...or refused
    CHECK(wave.retry_after == wave.statuses[503]);
    // A refused body is taken when it is sent again, as Alertmanager does.
    const std::string again = tiny_alerts_body(99);
    bool taken = false;
    for (int attempt = 0; attempt < 20 && !taken; ++attempt) {
        taken = test::http_request(host.port(), "POST", "/webhook", again,
                                   {{"Content-Type", "application/json"}}, std::chrono::seconds(60))
                    .status == 200;
        if (!taken) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    CHECK(taken);
    wave.statuses[200] += taken ? 1 : 0;
    // What was accepted is delivered.
    CHECK(test::eventually(
        [&] {
            return test::metric_value(
                       test::http_get(host.port(), "/metrics").body,
                       R"(tickets_grouping_deliveries_total{sink="quick",result="ok"})") ==
                   wave.statuses.at(200);
        },
        std::chrono::seconds(120)));
    CHECK(host.terminate() == 0);
}

TEST_CASE(
    "memory amplification at intake: with the default max_alerts, 64 concurrent 9 MiB bodies "
    "are refused (413) without the memory they would take",
    "[faults][memory]") {
    test::TempDir dir;
    test::HostProcess host({"--config", routes(dir, ""), "--state-dir", dir / "state"},
                           dir / "host.log");
    REQUIRE(host.wait_ready());
    Wave wave = post_all_at_once(host);
    report("default max_alerts", wave);
    CHECK(host.running());
    check_peak(wave);
    CHECK(wave.healthz_failures == 0);
    CHECK(wave.statuses.count(413) == 1);
    CHECK(wave.statuses[413] + wave.statuses[503] + wave.statuses[0] == clients);
    CHECK(test::http_post(host.port(), "/webhook",
                          R"({"alerts":[{"labels":{"alertname":"after","instance":"x"}}]})")
              .status == 200);
    CHECK(host.terminate() == 0);
}
