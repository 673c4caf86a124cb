// The text formatting a sink's delivery lanes learn together (learned_format.hpp): each lane has
// its own client and TextBuilder, as DeliveryLane has, on one LearnedFormat; parallelism adds no
// reads. Against a stand-in Redmine on loopback (fake_redmine.hpp), which counts the requests.
#include "learned_format.hpp"
#include "config.hpp"
#include "fake_redmine.hpp"
#include "redmine_client.hpp"
#include "text.hpp"
#include "text_format.hpp"

#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <barrier>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using namespace tg::redmine;
using rgtest::FakeAnswer;
using rgtest::FakeRequest;

namespace {

const std::string kCommonMark = R"(<html><body data-text-formatting="common_mark"></body></html>)";
const std::string kNoFormat = "<html><body>a project page of Redmine 5</body></html>";

Config lane_config() {
    Config c;
    c.project = "alerts";
    c.time_zone = "UTC";
    return c;
}

// What a lane learns the formatting with: a client and a TextBuilder of its own.
struct Lane {
    Lane(const rgtest::FakeRedmine& fake, const Config& config,
         std::shared_ptr<LearnedFormat> learned)
        : client({fake.url(), "0123456789abcdef", "", true, std::chrono::seconds(10)}),
          text(config.text_formatting, config.time_zone),
          formats(config, client, text, silent, std::move(learned)) {}
    const tg::HostServices silent{nullptr};
    RedmineClient client;
    TextBuilder text;
    TextFormatting formats;
};

// A project whose newest issue, #7, shows the formatting.
void with_an_issue(rgtest::FakeRedmine& fake) {
    fake.answer("GET", "/issues.json", {200, R"({"issues":[{"id":7}],"total_count":1})"});
    fake.answer("GET", "/issues/7", {200, kCommonMark, "text/html"});
}

// An empty project of Redmine 5 (its project page shows no formatting); the sink's issues do.
void empty_project(rgtest::FakeRedmine& fake) {
    fake.answer("GET", "/issues.json", {200, R"({"issues":[],"total_count":0})"});
    fake.answer("GET", "/projects/alerts", {200, kNoFormat, "text/html"});
    for (int id = 1; id <= 8; ++id)
        fake.answer("GET", "/issues/" + std::to_string(id), {200, kCommonMark, "text/html"});
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a second lane reads nothing of the formatting the first learned", "[text][lanes]") {
    rgtest::FakeRedmine fake;
    with_an_issue(fake);
    const Config config = lane_config();
    auto learned = std::make_shared<LearnedFormat>(std::chrono::seconds(20));
    Lane first(fake, config, learned), second(fake, config, learned);
    first.formats.ensure();
    REQUIRE(first.formats.known());
    const size_t requests = fake.requests().size();
    CHECK(requests == 2);  // the newest issue, its page
    second.formats.ensure();
    CHECK(second.formats.known());
    CHECK(second.text.format() == TextFormat::common_mark);
    CHECK_THAT(second.formats.describe(), Catch::Matchers::Contains("/issues/7"));
    second.formats.ensure(7);
    CHECK(fake.requests().size() == requests);
}

TEST_CASE("lanes storming an empty project at once: one probe, one issue page, one rewrite",
          "[text][lanes]") {
    rgtest::FakeRedmine fake;
    empty_project(fake);
    fake.answer_with([](const FakeRequest& r) -> std::optional<FakeAnswer> {
        // A slow search: the other lanes arrive while the first probes.
        if (r.uri.rfind("/issues.json", 0) == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return std::nullopt;
    });
    const Config config = lane_config();
    auto learned = std::make_shared<LearnedFormat>(std::chrono::seconds(20));
    constexpr int kLanes = 4;
    std::vector<std::unique_ptr<Lane>> lanes;
    for (int i = 0; i < kLanes; ++i) lanes.push_back(std::make_unique<Lane>(fake, config, learned));
    std::barrier start(kLanes);
    std::atomic<int64_t> next_id{1};
    std::atomic<int> neutral{0}, rewrites{0};
    std::vector<std::thread> threads;
    for (auto& lane : lanes)
        threads.emplace_back([&, lane = lane.get()] {
            start.arrive_and_wait();
            lane->formats.ensure();
            if (lane->formats.known()) return;
            ++neutral;  // its issue is created format-neutral, as the executor does
            if (lane->formats.learn_from_created(next_id++)) ++rewrites;
        });
    for (auto& t : threads) t.join();
    CHECK(fake.count("GET", "/issues.json") == 1);
    CHECK(fake.count("GET", "/projects/alerts") == 1);
    CHECK(fake.count("GET", "/issues/") == 1);  // the first issue's page
    CHECK(neutral == 1);
    CHECK(rewrites == 1);
    for (auto& lane : lanes) CHECK(lane->text.format() == TextFormat::common_mark);
}

TEST_CASE("a prober that fails gives its claim back: a waiting lane probes at once",
          "[text][lanes]") {
    rgtest::FakeRedmine fake;
    with_an_issue(fake);
    std::atomic<int> searches{0};
    fake.answer_with([&searches](const FakeRequest& r) -> std::optional<FakeAnswer> {
        if (r.uri.rfind("/issues.json", 0) != 0 || searches++ > 0) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return FakeAnswer{500, R"({"errors":["down"]})"};  // the first lane's probe fails
    });
    const Config config = lane_config();
    auto learned = std::make_shared<LearnedFormat>(std::chrono::seconds(20));
    Lane first(fake, config, learned), second(fake, config, learned);
    const auto start = std::chrono::steady_clock::now();
    std::thread failing([&] { first.formats.ensure(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    second.formats.ensure();  // waits for the first, which fails: then its own probe
    failing.join();
    CHECK(seconds_since(start) < 5);  // not the longest wait
    CHECK_FALSE(first.formats.known());
    CHECK(second.formats.known());
    CHECK(fake.count("GET", "/issues.json") == 2);
    first.formats.ensure();  // the next texts: what the second learned
    CHECK(first.formats.known());
    CHECK(fake.count("GET", "/issues/7") == 1);
}

TEST_CASE("a delivery that ends before its first issue gives its claim back", "[text][lanes]") {
    rgtest::FakeRedmine fake;
    empty_project(fake);
    const Config config = lane_config();
    auto learned = std::make_shared<LearnedFormat>(std::chrono::seconds(20));
    Lane first(fake, config, learned), second(fake, config, learned);
    {
        const TextFormatting::Release release(first.formats);
        first.formats.ensure();  // the project is empty: the claim waits for its first issue
        CHECK_FALSE(first.formats.known());
    }  // which it never creates (its create failed)
    const auto start = std::chrono::steady_clock::now();
    second.formats.ensure();  // the claim is its own now, for its first issue
    CHECK(seconds_since(start) < 5);
    CHECK(fake.requests().size() == 2);  // the project was looked at once
    CHECK(second.formats.learn_from_created(2));
    first.formats.ensure();
    CHECK(first.formats.known());
    CHECK(fake.requests().size() == 3);
}

TEST_CASE("a lane that waited out the longest wait writes format-neutral, then writes again",
          "[text][lanes]") {
    rgtest::FakeRedmine fake;
    empty_project(fake);
    const Config config = lane_config();
    auto learned = std::make_shared<LearnedFormat>(std::chrono::milliseconds(200));
    Lane slow(fake, config, learned), waiting(fake, config, learned);
    slow.formats.ensure();  // holds the claim, and is slow to create its first issue
    const auto start = std::chrono::steady_clock::now();
    waiting.formats.ensure();
    CHECK(seconds_since(start) >= 0.15);
    CHECK_FALSE(waiting.formats.known());  // its issue is created format-neutral
    CHECK(slow.formats.learn_from_created(1));
    // The slow lane's page told: the waiting lane's issue is written again, with no read.
    CHECK(waiting.formats.learn_from_created(2));
    CHECK(waiting.text.format() == TextFormat::common_mark);
    CHECK(fake.count("GET", "/issues/") == 1);
}
