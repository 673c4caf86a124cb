// Retry-After and max_requests_per_second: the client sends nothing before the time Redmine (or
// a proxy in front of it) named, and never faster than the configured rate. The waits are
// lower bounds the client must keep, not timings of how fast it is.
#include "request_pacer.hpp"
#include "fake_redmine.hpp"
#include "redmine_client.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timespan.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using namespace tg::redmine;
using Catch::Matchers::Contains;
using std::chrono::seconds;

TEST_CASE("Retry-After is read as seconds or as an HTTP date", "[client][pacer]") {
    CHECK(RequestPacer::parse_retry_after("2") == seconds(2));
    CHECK(RequestPacer::parse_retry_after(" 120 ") == seconds(120));
    CHECK(RequestPacer::parse_retry_after("0") == seconds(0));
    CHECK(RequestPacer::parse_retry_after("99999999999") == RequestPacer::kLongestRetryAfter);
    CHECK_FALSE(RequestPacer::parse_retry_after(""));
    CHECK_FALSE(RequestPacer::parse_retry_after("soon"));
    CHECK_FALSE(RequestPacer::parse_retry_after("-5"));
    Poco::DateTime in_a_minute;
    in_a_minute += Poco::Timespan(90, 0);
    const auto wait = RequestPacer::parse_retry_after(
        Poco::DateTimeFormatter::format(in_a_minute, Poco::DateTimeFormat::HTTP_FORMAT));
    REQUIRE(wait);
    CHECK(*wait >= seconds(85));
    CHECK(*wait <= seconds(90));
    CHECK(RequestPacer::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT") == seconds(0));
}

namespace {

// A Redmine behind a proxy that answers `busy` (429 or 503, with its Retry-After) to the first
// request and 200 afterwards; keeps when each request arrived.
struct BusyRedmine {
    rgtest::FakeRedmine fake;
    std::mutex mutex;
    std::vector<std::chrono::steady_clock::time_point> arrivals;
    BusyRedmine(int busy, const std::string& retry_after) {
        fake.answer_with([this, busy, retry_after](const rgtest::FakeRequest&) {
            std::lock_guard lock(mutex);
            arrivals.push_back(std::chrono::steady_clock::now());
            rgtest::FakeAnswer a;
            if (arrivals.size() == 1 && busy) {
                a.status = busy;
                a.body = R"({"errors":["slow down"]})";
                if (!retry_after.empty()) a.headers["Retry-After"] = retry_after;
            } else {
                a.body = R"({"ok":true})";
            }
            return std::optional<rgtest::FakeAnswer>(a);
        });
    }
    ClientOptions options(double rate = 0) const {
        return {fake.url(), "key", "", true, std::chrono::seconds(5), rate};
    }
};

std::string retry_later(const std::function<void()>& f) {
    try {
        f();
    } catch (const tg::RetryLater& e) {
        return e.what();
    }
    FAIL("no tg::RetryLater");
    return {};
}

}  // namespace

TEST_CASE("a 429 with Retry-After: 2 gets no request for 2 s", "[client][pacer]") {
    const int status = GENERATE(429, 503);
    BusyRedmine redmine(status, "2");
    RedmineClient client(redmine.options());
    const auto answered = std::chrono::steady_clock::now();
    CHECK_THAT(retry_later([&] { client.get("/issues.json"); }),
               Contains("HTTP " + std::to_string(status)) && Contains("(Retry-After: 2)"));
    CHECK(client.get("/issues.json")->getValue<bool>("ok"));  // waits, then is sent
    REQUIRE(redmine.arrivals.size() == 2);
    CHECK(redmine.arrivals[1] - answered >= seconds(2));
}

TEST_CASE("a Retry-After longer than the client holds a worker fails at once, sending nothing",
          "[client][pacer]") {
    BusyRedmine redmine(503, "120");
    RedmineClient client(redmine.options());
    retry_later([&] { client.get("/issues.json"); });
    CHECK_THAT(retry_later([&] { client.get("/issues.json"); }),
               Contains("not sent: Redmine asked to wait (Retry-After)"));
    CHECK(redmine.arrivals.size() == 1);
}

TEST_CASE("a busy answer without Retry-After makes no wait", "[client][pacer]") {
    BusyRedmine redmine(429, "");
    RedmineClient client(redmine.options());
    retry_later([&] { client.get("/issues.json"); });
    CHECK(client.get("/issues.json")->getValue<bool>("ok"));
    CHECK(redmine.arrivals.size() == 2);
}

namespace {

// A pacer's time that moves only when the pacer sleeps: each request's slot is seen exactly.
class SteppedTimer final : public RequestPacer::Timer {
  public:
    RequestPacer::Clock::time_point at{std::chrono::hours(1)};
    RequestPacer::Clock::time_point now() const override { return at; }
    void sleep_until(RequestPacer::Clock::time_point until) override { at = std::max(at, until); }
};

}  // namespace

TEST_CASE("max_requests_per_second gives each request its own slot", "[client][pacer]") {
    SteppedTimer timer;
    RequestPacer pacer(4, &timer);
    const auto start = timer.at;
    std::vector<RequestPacer::Clock::duration> sent;
    for (int i = 0; i < 5; ++i) {
        pacer.wait_turn("GET /issues.json");
        sent.push_back(timer.at - start);
        pacer.answered(200);
    }
    CHECK(sent == std::vector<RequestPacer::Clock::duration>{
                      std::chrono::milliseconds(0), std::chrono::milliseconds(250),
                      std::chrono::milliseconds(500), std::chrono::milliseconds(750),
                      std::chrono::milliseconds(1000)});
    // A quiet spell earns no burst: after 10 s idle the next two are still 250 ms apart.
    timer.at += seconds(10);
    const auto idle = timer.at;
    pacer.wait_turn("GET /issues.json");
    CHECK(timer.at == idle);
    pacer.wait_turn("GET /issues.json");
    CHECK(timer.at - idle == std::chrono::milliseconds(250));
}

TEST_CASE("without max_requests_per_second nothing waits", "[client][pacer]") {
    SteppedTimer timer;
    RequestPacer pacer(0, &timer);
    const auto start = timer.at;
    for (int i = 0; i < 5; ++i) pacer.wait_turn("GET /issues.json");
    CHECK(timer.at == start);
}

TEST_CASE("max_requests_per_second holds the real client to the rate", "[client][pacer]") {
    BusyRedmine redmine(0, "");
    RedmineClient client(redmine.options(4));
    // A lower bound, not a timing: the fifth request may not leave before four slots have
    // passed since the first, however fast or loaded the machine is.
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) client.get("/issues.json");
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(1000));
    CHECK(redmine.arrivals.size() == 5);
}

TEST_CASE("a run of failures holds every request for a while, then one goes again",
          "[client][pacer]") {
    rgtest::FakeRedmine fake;
    std::mutex mutex;
    int arrivals = 0;
    fake.answer_with([&](const rgtest::FakeRequest&) {
        std::lock_guard lock(mutex);
        ++arrivals;
        return std::optional<rgtest::FakeAnswer>(
            arrivals <= 3 ? rgtest::FakeAnswer{502, "<html>bad gateway</html>", "text/html"}
                          : rgtest::FakeAnswer{200, R"({"ok":true})"});
    });
    RedmineClient client({fake.url(), "key", "", true, std::chrono::seconds(5)});
    for (int i = 0; i < 3; ++i)
        CHECK_THAT(retry_later([&] { client.get("/issues.json"); }), Contains("HTTP 502"));
    const auto held = std::chrono::steady_clock::now();
    CHECK_THAT(retry_later([&] { client.get("/issues.json"); }),
               Contains("not sent: Redmine failed 3 times in a row"));
    CHECK(arrivals == 3);  // nothing reached Redmine while held
    while (std::chrono::steady_clock::now() - held < std::chrono::milliseconds(1100))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(client.get("/issues.json")->getValue<bool>("ok"));
    CHECK(arrivals == 4);
    client.get("/issues.json");  // a good answer ended the run: no hold
    CHECK(arrivals == 5);
}

TEST_CASE("the host's probe goes out while failures hold the other requests", "[client][pacer]") {
    rgtest::FakeRedmine failing;
    failing.answer_with([](const rgtest::FakeRequest& r) {
        return std::optional<rgtest::FakeAnswer>(
            r.uri.find("/users/current.json") != std::string::npos
                ? rgtest::FakeAnswer{200, R"({"user":{"id":1}})"}
                : rgtest::FakeAnswer{500, R"({"errors":["boom"]})"});
    });
    RedmineClient client({failing.url(), "key", "", true, std::chrono::seconds(5)});
    for (int i = 0; i < 3; ++i) retry_later([&] { client.get("/issues/7.json"); });
    CHECK_THAT(retry_later([&] { client.get("/issues/8.json"); }), Contains("not sent"));
    CHECK(client.probe("/users/current.json")->getObject("user"));
    CHECK_THAT(retry_later([&] { client.get("/issues/8.json"); }), Contains("HTTP 500"));
    CHECK(failing.count("GET", "/issues/") == 4);
}
