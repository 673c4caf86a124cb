// What a sink's delivery lanes learn of Redmine together (learned.hpp, login_cache.hpp): the
// statuses and trackers (StatusCatalog::Shared), the priorities, members, categories and logins
// (TicketFields::Shared), each read once with the client of the lane that first needs it.
// Against a stand-in Redmine on loopback (fake_redmine.hpp), which counts the requests.
#include "config.hpp"
#include "fake_redmine.hpp"
#include "redmine_client.hpp"
#include "status_catalog.hpp"
#include "text.hpp"
#include "ticket_fields.hpp"

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

ClientOptions options(const rgtest::FakeRedmine& fake) {
    return {fake.url(), "0123456789abcdef", "", true, std::chrono::seconds(10)};
}

void statuses_and_trackers(rgtest::FakeRedmine& fake) {
    fake.answer("GET", "/issue_statuses.json",
                {200, R"({"issue_statuses":[{"id":1,"name":"New","is_closed":false},)"
                      R"({"id":3,"name":"持ち越し","is_closed":false},)"
                      R"({"id":5,"name":"Closed","is_closed":true}]})"});
    fake.answer("GET", "/trackers.json",
                {200, R"({"trackers":[{"id":1,"name":"Bug","default_status":{"id":3}}]})"});
}

// A status catalog of one lane: its own client.
struct StatusLane {
    StatusLane(const rgtest::FakeRedmine& fake, std::shared_ptr<StatusCatalog::Shared> shared)
        : client(options(fake)), statuses(client, 1, std::move(shared)) {}
    RedmineClient client;
    StatusCatalog statuses;
};

void names(rgtest::FakeRedmine& fake) {
    fake.answer("GET", "/enumerations/issue_priorities.json",
                {200, R"({"issue_priorities":[{"id":1,"name":"Low"},{"id":3,"name":"High"}]})"});
    fake.answer("GET", "/projects/alerts/memberships.json",
                {200, R"({"memberships":[{"group":{"id":9,"name":"ops"}}],"total_count":1})"});
    fake.answer("GET", "/projects/alerts/issue_categories.json",
                {200, R"({"issue_categories":[{"id":4,"name":"db"}]})"});
    fake.answer("GET", "/users.json",
                {200, R"({"users":[{"id":42,"login":"alice"}],"total_count":1})"});
}

Config fields_config() {
    Config c;
    c.project = "alerts";
    c.priority = "High";
    c.assignee = "alice";  // a login: /users.json
    c.watchers = {"ops"};  // a member group
    c.category = "db";
    return c;
}

// The ticket fields of one lane: its own client and TextBuilder.
struct FieldsLane {
    FieldsLane(const rgtest::FakeRedmine& fake, const Config& config,
               std::shared_ptr<TicketFields::Shared> shared)
        : client(options(fake)),
          text(TextFormat::neutral, "UTC"),
          fields(config, client, text, silent, std::move(shared)) {}
    const tg::HostServices silent{nullptr};
    RedmineClient client;
    TextBuilder text;
    TicketFields fields;

    Poco::JSON::Object add() {
        Poco::JSON::Object issue;
        TextContext context;
        fields.add(issue, context, "k", false);
        return issue;
    }
};

// Delays the first answer to a path starting so: the other lanes arrive while one loads.
rgtest::FakeRedmine::Dynamic slow(const std::string& prefix) {
    return [prefix](const FakeRequest& r) -> std::optional<FakeAnswer> {
        if (r.uri.rfind(prefix, 0) == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return std::nullopt;
    };
}

}  // namespace

TEST_CASE("a second lane's status catalog reads nothing the first read", "[lanes]") {
    rgtest::FakeRedmine fake;
    statuses_and_trackers(fake);
    auto shared = std::make_shared<StatusCatalog::Shared>();
    StatusLane first(fake, shared), second(fake, shared);
    CHECK(first.statuses.resolve({0, "Closed"}, "status_done") == 5);
    CHECK(first.statuses.reopen_status(0) == 3);
    CHECK(second.statuses.is_closed(5));
    CHECK(second.statuses.name(3) == "持ち越し");
    CHECK(second.statuses.reopen_status(1) == 3);
    CHECK(fake.count("GET", "/issue_statuses.json") == 1);
    CHECK(fake.count("GET", "/trackers.json") == 1);
}

TEST_CASE("lanes needing the statuses at once read them once", "[lanes]") {
    rgtest::FakeRedmine fake;
    statuses_and_trackers(fake);
    fake.answer_with(slow("/issue_statuses.json"));
    auto shared = std::make_shared<StatusCatalog::Shared>();
    constexpr int kLanes = 4;
    std::vector<std::unique_ptr<StatusLane>> lanes;
    for (int i = 0; i < kLanes; ++i) lanes.push_back(std::make_unique<StatusLane>(fake, shared));
    std::barrier start(kLanes);
    std::atomic<int> resolved{0};
    std::vector<std::thread> threads;
    for (auto& lane : lanes)
        threads.emplace_back([&, lane = lane.get()] {
            start.arrive_and_wait();
            resolved += lane->statuses.resolve({0, "持ち越し"}, "status_carryover") == 3;
            resolved += lane->statuses.reopen_status(0) == 3;
        });
    for (auto& t : threads) t.join();
    CHECK(resolved == 2 * kLanes);
    CHECK(fake.count("GET", "/issue_statuses.json") == 1);
    CHECK(fake.count("GET", "/trackers.json") == 1);
}

TEST_CASE("statuses a lane failed to read are read by the next lane", "[lanes]") {
    rgtest::FakeRedmine fake;
    statuses_and_trackers(fake);
    std::atomic<int> reads{0};
    fake.answer_with([&reads](const FakeRequest& r) -> std::optional<FakeAnswer> {
        if (r.uri == "/issue_statuses.json" && reads++ == 0) return FakeAnswer{500, "{}"};
        return std::nullopt;
    });
    auto shared = std::make_shared<StatusCatalog::Shared>();
    StatusLane first(fake, shared), second(fake, shared);
    CHECK_THROWS_AS(first.statuses.is_closed(5), tg::RetryLater);
    CHECK(second.statuses.is_closed(5));
    CHECK(first.statuses.is_closed(5));
    CHECK(fake.count("GET", "/issue_statuses.json") == 2);
}

TEST_CASE("a second lane's ticket fields look up no name the first looked up", "[lanes]") {
    rgtest::FakeRedmine fake;
    names(fake);
    const Config config = fields_config();
    auto shared = std::make_shared<TicketFields::Shared>();
    FieldsLane first(fake, config, shared), second(fake, config, shared);
    const auto a = first.add();
    const size_t requests = fake.requests().size();
    CHECK(requests == 4);  // priorities, members, the login, categories
    const auto b = second.add();
    for (const auto* issue : {&a, &b}) {
        CHECK(issue->getValue<Poco::Int64>("priority_id") == 3);
        CHECK(issue->getValue<Poco::Int64>("assigned_to_id") == 42);
        CHECK(issue->getValue<Poco::Int64>("category_id") == 4);
    }
    CHECK(second.fields.unresolved().empty());
    CHECK(second.fields.priority_rank(3) == 1);
    CHECK(second.fields.cached_logins() == 1);
    CHECK(fake.requests().size() == requests);
}

TEST_CASE("lanes creating tickets at once look each name up once", "[lanes]") {
    rgtest::FakeRedmine fake;
    names(fake);
    fake.answer_with(slow("/users.json"));
    const Config config = fields_config();
    auto shared = std::make_shared<TicketFields::Shared>();
    constexpr int kLanes = 4;
    std::vector<std::unique_ptr<FieldsLane>> lanes;
    for (int i = 0; i < kLanes; ++i)
        lanes.push_back(std::make_unique<FieldsLane>(fake, config, shared));
    std::barrier start(kLanes);
    std::atomic<int> assigned{0};
    std::vector<std::thread> threads;
    for (auto& lane : lanes)
        threads.emplace_back([&, lane = lane.get()] {
            start.arrive_and_wait();
            assigned += lane->add().getValue<Poco::Int64>("assigned_to_id") == 42;
        });
    for (auto& t : threads) t.join();
    CHECK(assigned == kLanes);
    CHECK(fake.count("GET", "/users.json") == 1);
    CHECK(fake.count("GET", "/enumerations/issue_priorities.json") == 1);
    CHECK(fake.count("GET", "/projects/alerts/memberships.json") == 1);
    CHECK(fake.count("GET", "/projects/alerts/issue_categories.json") == 1);
}
