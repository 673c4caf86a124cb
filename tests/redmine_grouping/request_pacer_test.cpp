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
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
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

// One pacer for all the lanes of a sink (ABI 1.6 groups deliver at once): the rate and the
// backoff are the sink's, whichever thread's request met them.
namespace {

// A pacer's time that stands still, for several threads: every slot the pacer hands out is
// seen as the time a request slept until.
class StillTimer final : public RequestPacer::Timer {
  public:
    RequestPacer::Clock::time_point at{std::chrono::hours(1)};
    std::function<void()> on_first_sleep;  // another thread's answer, while this one sleeps
    RequestPacer::Clock::time_point now() const override { return at; }
    void sleep_until(RequestPacer::Clock::time_point until) override {
        std::function<void()> first;
        {
            std::lock_guard lock(mutex_);
            slept_until_.push_back(until);
            std::swap(first, on_first_sleep);
        }
        if (first) first();
    }
    std::vector<RequestPacer::Clock::duration> sleeps() {
        std::lock_guard lock(mutex_);
        std::vector<RequestPacer::Clock::duration> out;
        for (const auto& until : slept_until_) out.push_back(until - at);
        std::sort(out.begin(), out.end());
        return out;
    }

  private:
    std::mutex mutex_;
    std::vector<RequestPacer::Clock::time_point> slept_until_;
};

}  // namespace

TEST_CASE("a pacer shared by four threads gives each of their requests its own slot",
          "[client][pacer][lanes]") {
    StillTimer timer;
    RequestPacer pacer(4, &timer);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                pacer.wait_turn("GET /issues.json");
                pacer.answered(200);
            }
        });
    for (auto& t : threads) t.join();
    // 20 requests at 4 a second: the first at once, the others 250 ms apart, none sharing a slot.
    std::vector<RequestPacer::Clock::duration> expected;
    for (int slot = 1; slot < 20; ++slot) expected.push_back(std::chrono::milliseconds(250 * slot));
    CHECK(timer.sleeps() == expected);
}

TEST_CASE("a Retry-After that comes while a request sleeps for its slot holds it too",
          "[client][pacer][lanes]") {
    StillTimer timer;
    RequestPacer pacer(4, &timer);
    pacer.wait_turn("GET /issues/1.json");  // slot 0: no sleep
    timer.on_first_sleep = [&] { pacer.answered_busy("3"); };
    pacer.wait_turn("GET /issues/2.json");  // slept for its slot, then for the Retry-After
    const auto sleeps = timer.sleeps();
    REQUIRE(sleeps.size() == 2);
    CHECK(sleeps[0] == std::chrono::milliseconds(250));
    CHECK(sleeps[1] == seconds(3));
}

TEST_CASE("a Retry-After one lane's client got holds back the requests of the other lanes",
          "[client][pacer][lanes]") {
    BusyRedmine redmine(429, "2");
    auto pacer = std::make_shared<RequestPacer>();
    std::vector<std::unique_ptr<RedmineClient>> clients;
    for (int i = 0; i < 4; ++i)
        clients.push_back(std::make_unique<RedmineClient>(redmine.options(), pacer));
    const auto answered = std::chrono::steady_clock::now();
    retry_later([&] { clients[0]->get("/issues.json"); });
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (auto& client : clients)
        threads.emplace_back([&] {
            try {
                ok += client->get("/issues.json")->getValue<bool>("ok");
            } catch (const std::exception&) {  // counted as not ok
            }
        });
    for (auto& t : threads) t.join();
    CHECK(ok == 4);
    std::lock_guard lock(redmine.mutex);
    REQUIRE(redmine.arrivals.size() == 5);
    for (size_t i = 1; i < redmine.arrivals.size(); ++i)
        CHECK(redmine.arrivals[i] - answered >= seconds(2));
}

TEST_CASE("a run of failures on one lane holds the requests of the others",
          "[client][pacer][lanes]") {
    rgtest::FakeRedmine failing;
    failing.answer("GET", "/issues.json",
                   rgtest::FakeAnswer{502, "<html>bad gateway</html>", "text/html"});
    auto pacer = std::make_shared<RequestPacer>();
    RedmineClient one({failing.url(), "key", "", true, std::chrono::seconds(5)}, pacer);
    RedmineClient other({failing.url(), "key", "", true, std::chrono::seconds(5)}, pacer);
    for (int i = 0; i < 3; ++i) retry_later([&] { one.get("/issues.json"); });
    std::string held;  // Catch's assertions stay on the test's thread
    std::thread lane([&] {
        try {
            other.get("/issues.json");
        } catch (const tg::RetryLater& e) {
            held = e.what();
        }
    });
    lane.join();
    CHECK_THAT(held, Contains("not sent: Redmine failed 3 times in a row"));
    CHECK(failing.count("GET", "/issues.json") == 3);
}
