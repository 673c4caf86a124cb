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

#include <chrono>
#include <mutex>
#include <thread>

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

TEST_CASE("max_requests_per_second spaces the requests", "[client][pacer]") {
    BusyRedmine redmine(0, "");
    RedmineClient client(redmine.options(4));
    for (int i = 0; i < 5; ++i) client.get("/issues.json");
    REQUIRE(redmine.arrivals.size() == 5);
    for (size_t i = 1; i < 5; ++i) {
        INFO(i);
        CHECK(redmine.arrivals[i] - redmine.arrivals[i - 1] >= std::chrono::milliseconds(240));
    }
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
