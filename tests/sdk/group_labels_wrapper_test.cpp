// Sink ABI 1.6's delivery groups through the C++ wrapper and the fake host: a class that
// overrides tg::Sink::group_labels declares them, read as the host reads them (group_label_count,
// group_label_get, names owned by the instance), and one that does not declares none.
#include <tickets_grouping/testing.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

namespace {

class OneAtATimeSink : public tg::Sink {
  public:
    explicit OneAtATimeSink(const tg::SinkContext&) {}
    void deliver(const tg::Delivery&) override {}
};

// Groups by the labels its configuration names; counts its deliveries from any thread.
class GroupedSink : public tg::Sink {
  public:
    explicit GroupedSink(const tg::SinkContext& context)
        : labels_(context.config_json.find("cluster") != std::string::npos
                      ? std::vector<std::string>{"alertname", "cluster"}
                      : std::vector<std::string>{"alertname"}) {}
    std::vector<std::string> group_labels() const override { return labels_; }
    void deliver(const tg::Delivery&) override { ++delivered; }
    static inline std::atomic<int> delivered{0};

  private:
    std::vector<std::string> labels_;
};

}  // namespace

TEST_CASE("a sink declares delivery groups by overriding tg::Sink::group_labels (ABI 1.6)") {
    tg::testing::FakeHost host;
    auto plain = host.create<OneAtATimeSink>();
    REQUIRE(plain.created() == TG_OK);
    CHECK(plain.group_labels().empty());

    auto grouped = host.create<GroupedSink>();
    REQUIRE(grouped.created() == TG_OK);
    CHECK(grouped.group_labels() == std::vector<std::string>{"alertname"});
    auto by_cluster = host.create<GroupedSink>(R"({"by": "cluster"})");
    REQUIRE(by_cluster.created() == TG_OK);
    CHECK(by_cluster.group_labels() == std::vector<std::string>{"alertname", "cluster"});

    // The table's own answers (what TG_SINK_PLUGIN points to): out of range is NULL.
    tg::detail::Instance instance;
    instance.group_labels = {"alertname"};
    CHECK(tg::detail::Adapter<GroupedSink>::group_label_count(&instance) == 1);
    CHECK(std::string(tg::detail::Adapter<GroupedSink>::group_label_get(&instance, 0)) ==
          "alertname");
    CHECK(tg::detail::Adapter<GroupedSink>::group_label_get(&instance, 1) == nullptr);

    // What the host does with them: deliveries of different groups from several threads.
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&grouped, t] {
            const std::string body =
                R"({"alerts":[{"labels":{"alertname":"A)" + std::to_string(t) + R"("}}]})";
            for (int i = 0; i < 25; ++i) CHECK(grouped.deliver(body) == TG_OK);
        });
    for (auto& thread : threads) thread.join();
    CHECK(GroupedSink::delivered == 100);
}
