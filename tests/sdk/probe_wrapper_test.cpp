// Sink ABI 1.3's probe through the C++ wrapper and the fake host: a class that overrides
// tg::Sink::probe exports it, one that does not exports NULL (the host keeps retrying its heads),
// and the probe's answer crosses the C boundary as a status with its message.
#include <tickets_grouping/testing.hpp>

#include <catch2/catch.hpp>

namespace {

class PlainSink : public tg::Sink {
  public:
    explicit PlainSink(const tg::SinkContext&) {}
    void deliver(const tg::Delivery&) override { throw tg::RetryLater("HTTP 500"); }
};

class ProbingSink : public PlainSink {
  public:
    explicit ProbingSink(const tg::SinkContext& context)
        : PlainSink(context), down_(context.config_json.find("down") != std::string::npos) {}
    void probe() override {
        if (down_) throw tg::RetryLater("GET /users/current.json: connection refused");
    }

  private:
    bool down_;
};

}  // namespace

TEST_CASE("issue 11: a sink declares a probe by overriding tg::Sink::probe (ABI 1.3)") {
    tg::testing::FakeHost host;
    auto plain = host.create<PlainSink>();
    REQUIRE(plain.created() == TG_OK);
    CHECK_FALSE(plain.has_probe());
    CHECK(plain.probe() == TG_RETRY_LATER);

    auto healthy = host.create<ProbingSink>();
    REQUIRE(healthy.created() == TG_OK);
    CHECK(healthy.has_probe());
    CHECK(healthy.deliver(R"({"alerts":[]})") == TG_RETRY_LATER);
    CHECK(healthy.probe() == TG_OK);

    auto down = host.create<ProbingSink>(R"({"down": true})");
    REQUIRE(down.created() == TG_OK);
    const auto answer = down.probe();
    CHECK(answer == TG_RETRY_LATER);
    CHECK(answer.error == "GET /users/current.json: connection refused");
}

extern "C" const tg_sink_plugin* tg_sink_entry(void);  // wrapper_test.cpp's sink: no probe

TEST_CASE(
    "issue 11: TG_SINK_PLUGIN's table has 1.3's probe, NULL without one, and 1.6's delivery "
    "groups at its end") {
    static_assert(tg::detail::Adapter<ProbingSink>::has_probe);
    static_assert(!tg::detail::Adapter<PlainSink>::has_probe);
    const tg_sink_plugin* table = tg_sink_entry();
    CHECK(table->abi_minor >= 6);  // 1.4 and 1.5 added to the host's table, not to this one
    CHECK(table->struct_size == offsetof(tg_sink_plugin, group_label_get) + sizeof(void*));
    CHECK(table->probe == nullptr);
    CHECK(table->group_label_count != nullptr);  // answers 0 for a sink without groups
}
