// Issue 11 (low), "unbounded data": Redmine's answers are read and parsed within limits, and the
// assignee login cache is bounded; /users.json?name= is paged and matched exactly (issue 12).
// Against a stand-in Redmine on loopback (fake_redmine.hpp).
#include "config.hpp"
#include "fake_redmine.hpp"
#include "redmine_client.hpp"
#include "text.hpp"
#include "ticket_fields.hpp"

#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

using namespace tg::redmine;
using Catch::Matchers::Contains;

namespace {

ClientOptions options(const rgtest::FakeRedmine& fake) {
    return {fake.url(), "0123456789abcdef", "", true, std::chrono::seconds(10)};
}

template <class F>
std::string dropped(F&& f) {
    try {
        f();
    } catch (const tg::Drop& e) {
        return e.what();
    }
    FAIL("no tg::Drop");
    return {};
}

std::string users_page(int first, int n, int total, const std::string& exact = "") {
    std::string out = R"({"users":[)";
    for (int i = 0; i < n; ++i)
        out += std::string(i ? "," : "") + R"({"id":)" + std::to_string(100 + first + i) +
               R"(,"login":"alice)" + std::to_string(first + i) + R"(","status":1})";
    if (!exact.empty()) out += R"(,{"id":42,"login":")" + exact + R"(","status":1})";
    return out + R"(],"total_count":)" + std::to_string(total) + R"(,"offset":)" +
           std::to_string(first) + R"(,"limit":100})";
}

// TicketFields against the stand-in, for project "alerts" (no members).
struct Fields {
    rgtest::FakeRedmine fake;
    Config config;
    RedmineClient client{options(fake)};
    TextBuilder text{TextFormat::neutral, "UTC"};
    const tg::HostServices silent{nullptr};
    Fields() {
        config.project = "alerts";
        fake.answer("GET", "/projects/alerts/memberships.json",
                    {200, R"({"memberships":[],"total_count":0})"});
    }
    TicketFields make() { return TicketFields(config, client, text, silent); }
};

}  // namespace

TEST_CASE("Redmine's answers are parsed with a size and a depth limit", "[client]") {
    rgtest::FakeRedmine fake;
    const std::string big =
        R"({"issues":[")" + std::string(RedmineClient::kMaxAnswerBytes + 1024, 'x') + R"("]})";
    fake.answer("GET", "/big.json", {200, big});
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += R"({"a":)";
    deep += "1" + std::string(40, '}');
    fake.answer("GET", "/deep.json", {200, deep});
    fake.answer("GET", "/fine.json", {200, R"({"issues":[{"id":1,"subject":"[x] {y} \"z\""}]})"});
    RedmineClient client(options(fake));
    CHECK_THAT(dropped([&] { client.get("/big.json"); }),
               Contains("GET /big.json: the answer is larger than 32 MiB, the limit"));
    CHECK_THAT(dropped([&] { client.get("/deep.json"); }),
               Contains("GET /deep.json: the answer nests deeper than 32 levels, the limit"));
    CHECK_THAT(dropped([&] { client.get_page("/big.json"); }), Contains("larger than 32 MiB"));
    // The connection that carried the oversized answer is not reused half-read.
    CHECK(client.get("/fine.json")->getArray("issues")->size() == 1);
}

TEST_CASE("the assignee login cache is bounded", "[client]") {
    Fields f;
    auto& fake = f.fake;
    fake.answer("GET", "/users.json",
                {200, R"({"users":[],"total_count":0,"offset":0,"limit":100})"});
    f.config.assignee_label = "owner";
    TicketFields fields = f.make();
    for (size_t i = 0; i < TicketFields::kMaxCachedLogins + 100; ++i) {
        Alert a;
        a.labels = {{"alertname", "X"}, {"owner", "login-" + std::to_string(i)}};
        TextContext context;
        context.alert = &a;
        Poco::JSON::Object issue;
        fields.add(issue, context, "k", false);
    }
    CHECK(fields.cached_logins() == TicketFields::kMaxCachedLogins);
    CHECK(fake.count("GET", "/users.json") == TicketFields::kMaxCachedLogins + 100);
}

TEST_CASE("/users.json?name= is paged 100 at a time and matched on the exact login", "[client]") {
    Fields f;
    auto& fake = f.fake;
    // Redmine 5.1+: a substring match on login, names and e-mail; the exact login on page 2.
    fake.answer("GET", "/users.json?status=1&name=alice&limit=100&offset=0",
                {200, users_page(0, 100, 150)});
    fake.answer("GET", "/users.json?status=1&name=alice&limit=100&offset=100",
                {200, users_page(100, 49, 150, "alice")});
    f.config.assignee = "alice";
    TicketFields fields = f.make();
    CHECK(fields.unresolved().empty());
    Poco::JSON::Object issue;
    TextContext context;
    fields.add(issue, context, "k", false);
    CHECK(issue.getValue<Poco::Int64>("assigned_to_id") == 42);
    CHECK(fake.count("GET", "/users.json") == 2);  // then remembered
}
