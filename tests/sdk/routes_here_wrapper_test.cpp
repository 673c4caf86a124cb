// tg::HostServices::routes_here (sink ABI 1.5) against the fake host: unset, every alert routes
// here; with a predicate, the labels reach it intact (UTF-8 included); a 1.4 host, or a call the
// host refuses, gives std::nullopt.
#include <tickets_grouping/notification.hpp>
#include <tickets_grouping/testing.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using LabelSet = std::map<std::string, std::string>;

// Asks the host about each alert it is given, and logs the answer:
// "routes_here <alertname>: yes|no|unknown".
class AskingSink : public tg::Sink {
  public:
    explicit AskingSink(const tg::SinkContext& context) : host_(context.host) {}
    void deliver(const tg::Delivery& d) override {
        for (const tg::Alert& alert : tg::parse_notification(d).alerts) {
            // tg::Labels compares with std::less<>: another map type than routes_here's.
            const LabelSet labels(alert.labels.begin(), alert.labels.end());
            const std::optional<bool> here = host_.routes_here(labels);
            host_.info("routes_here " + alert.label("alertname") + ": " +
                       (!here   ? "unknown"
                        : *here ? "yes"
                                : "no"));
        }
    }

  private:
    tg::HostServices host_;
};

}  // namespace

TEST_CASE("routes_here: the fake host routes every alert here unless told otherwise") {
    tg::testing::FakeHost host;
    auto sink = host.create<AskingSink>();
    REQUIRE(sink.created() == TG_OK);
    CHECK(sink.deliver(R"({"alerts":[{"labels":{"alertname":"HighCPU","instance":"a"}}]})") ==
          TG_OK);
    CHECK(host.logged("routes_here HighCPU: yes"));
    CHECK(tg::HostServices(host.services()).routes_here({}) == std::optional<bool>(true));
}

TEST_CASE("routes_here: the labels reach the host's answer intact, UTF-8 values included") {
    tg::testing::FakeHost host;
    std::vector<LabelSet> asked;
    host.routes_here = [&](const LabelSet& labels) {
        asked.push_back(labels);
        return labels.count("team") && labels.at("team") == "運用チーム";
    };
    auto sink = host.create<AskingSink>();
    REQUIRE(sink.created() == TG_OK);
    CHECK(sink.deliver(R"({"alerts":[
        {"labels":{"alertname":"ディスク容量","instance":"サーバー01","team":"運用チーム"}},
        {"labels":{"alertname":"HighCPU","instance":"server02","team":"dev"}}]})") == TG_OK);
    INFO(host.log_text());
    CHECK(host.logged("routes_here ディスク容量: yes"));
    CHECK(host.logged("routes_here HighCPU: no"));
    REQUIRE(asked.size() == 2);
    CHECK(asked[0] == LabelSet{{"alertname", "ディスク容量"},
                               {"instance", "サーバー01"},
                               {"team", "運用チーム"}});
    CHECK(asked[1] ==
          LabelSet{{"alertname", "HighCPU"}, {"instance", "server02"}, {"team", "dev"}});

    // Straight through the wrapper, an empty value and an empty set as they are.
    asked.clear();
    const tg::HostServices services(host.services());
    CHECK(services.routes_here({{"team", "運用チーム"}, {"empty", ""}}) ==
          std::optional<bool>(true));
    CHECK(services.routes_here({}) == std::optional<bool>(false));
    REQUIRE(asked.size() == 2);
    CHECK(asked[0] == LabelSet{{"team", "運用チーム"}, {"empty", ""}});
    CHECK(asked[1].empty());
}

TEST_CASE("routes_here: std::nullopt on a 1.4 host, without services, and for a refused call") {
    tg::testing::FakeHost host;
    bool asked = false;
    host.routes_here = [&](const LabelSet&) { return asked = true; };

    host.abi_minor = 4;
    const tg_host_services* old = host.services();
    CHECK(old->struct_size == offsetof(tg_host_services, routes_here));
    CHECK(tg::HostServices(old).routes_here({{"alertname", "x"}}) == std::nullopt);
    {
        auto sink = host.create<AskingSink>();
        CHECK(sink.deliver(R"({"alerts":[{"labels":{"alertname":"Old"}}]})") == TG_OK);
        CHECK(host.logged("routes_here Old: unknown"));
    }
    CHECK(tg::HostServices(nullptr).routes_here({{"alertname", "x"}}) == std::nullopt);
    CHECK_FALSE(asked);

    // The 1.5 host refuses an empty name, and labels NULL with a count, with -1: std::nullopt.
    host.abi_minor = TG_SINK_ABI_MINOR;
    const tg_host_services* current = host.services();
    CHECK(current->struct_size == sizeof(tg_host_services));
    CHECK(tg::HostServices(current).routes_here({{"", "x"}}) == std::nullopt);
    CHECK(current->routes_here(current->host_ctx, nullptr, 1) == -1);
    CHECK_FALSE(asked);
    CHECK(current->routes_here(current->host_ctx, nullptr, 0) == 1);  // no labels: valid
    CHECK(asked);
}
