// tickets_grouping/testing.hpp, the fake host sink authors test with: what it hands the sink, what
// it records, and the statuses it reports, the same as the real host's.
#include <tickets_grouping/config.hpp>
#include <tickets_grouping/testing.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

namespace {

// Echoes what it receives into the log and counts it.
class EchoSink : public tg::Sink {
  public:
    explicit EchoSink(const tg::SinkContext& context) : host_(context.host) {
        tg::Config config(context.config_json, "echo");
        fail_with_ = config.string("fail_with", "");
        config.reject_unknown_keys();
        host_.info("name=" + context.instance_name + " state_dir=" + context.state_dir +
                   " store=[" + context.shared_store + "]");
    }
    void deliver(const tg::Delivery& d) override {
        if (fail_with_ == "retry") throw tg::RetryLater("Redmine answered 503");
        if (fail_with_ == "drop") throw tg::Drop("the project is archived");
        const auto n = tg::parse_notification(d);
        for (const auto& alert : n.alerts) host_.count("alerts_total", "status=" + alert.status);
        host_.observe("deliver_seconds", "", 0.25);
        host_.info("key=" + std::string(d.idempotency_key) + " route=" + std::string(d.route) +
                   " attempt=" + std::to_string(d.attempt) + (d.dry_run ? " dry" : "") + " env=" +
                   host_.env("REDMINE_URL").value_or("unset") + " receiver=" + n.receiver);
    }
    std::vector<tg::Hook> hooks() const override { return {{"tick", "* * * * *", "Asia/Tokyo"}}; }
    void run_hook(const tg::HookRun& run) override {
        if (run.name != "tick") tg::Sink::run_hook(run);
        host_.warn("tick " + std::to_string(run.scheduled_unix_ms) + (run.dry_run ? " dry" : ""));
    }
    bool check() override {
        host_.error("echo: nothing to check against");
        return false;
    }

  private:
    tg::HostServices host_;
    std::string fail_with_;
};

const std::string one_alert = R"({"receiver":"ops","alerts":[{"labels":{"alertname":"a"}}]})";

}  // namespace

TEST_CASE("the fake host creates a sink class with its config, name, state_dir and env") {
    tg::testing::FakeHost host;
    host.instance_name = "echo-1";
    host.env["REDMINE_URL"] = "https://redmine.example.com";
    CHECK(std::filesystem::is_directory(host.state_dir()));
    auto sink = host.create<EchoSink>();
    REQUIRE(sink.created() == TG_OK);
    CHECK(host.logged("name=echo-1 state_dir=" + host.state_dir() + " store=[]"));

    CHECK(sink.deliver(one_alert) == TG_OK);
    CHECK(host.logged("route=route attempt=1 env=https://redmine.example.com receiver=ops"));
    REQUIRE(host.logs.back().level == TG_LOG_INFO);

    tg::testing::Call retry = tg::testing::dry_run();
    retry.attempt = 3;
    retry.route = "route.routes[1]";
    retry.idempotency_key = "k-1";
    CHECK(sink.deliver(one_alert, retry) == TG_OK);
    CHECK(host.logged("key=k-1 route=route.routes[1] attempt=3 dry"));

    // A bad config, as the host would see it.
    auto typo = host.create<EchoSink>(R"({"fail_whit": "x"})");
    CHECK(typo.created() == TG_DROP);
    CHECK(typo.created().error == "echo: unknown config key 'fail_whit' (known: fail_with)");
    CHECK(typo.deliver(one_alert) == TG_DROP);
    CHECK(typo.deliver(one_alert).error.find("the sink was not created: echo: unknown") == 0);
}

TEST_CASE("the fake host derives equal idempotency keys for equal content, like the host") {
    tg::testing::FakeHost host;
    auto sink = host.create<EchoSink>();
    sink.deliver(one_alert);
    sink.deliver(one_alert);
    sink.deliver(R"({"alerts":[{"labels":{"alertname":"b"}}]})");
    std::vector<std::string> keys;
    for (const auto& line : host.logs)
        if (line.message.rfind("key=", 0) == 0) keys.push_back(line.message.substr(4, 16));
    REQUIRE(keys.size() == 3);
    CHECK(keys[0] == keys[1]);
    CHECK(keys[0] != keys[2]);
}

TEST_CASE("the fake host records metrics, hooks and checks") {
    tg::testing::FakeHost host;
    auto sink = host.create<EchoSink>();
    tg::Notification n;
    n.receiver = "typed";
    for (const char* status : {"firing", "firing", "resolved"}) {
        tg::Alert alert;
        alert.status = status;
        alert.labels = {{"alertname", "a"}};
        n.alerts.push_back(alert);
    }
    CHECK(sink.deliver(n) == TG_OK);
    CHECK(host.logged("receiver=typed"));
    CHECK(host.counter("alerts_total", "status=firing") == 2);
    CHECK(host.counter("alerts_total", "status=resolved") == 1);
    CHECK(host.counter("alerts_total") == 0);  // another label set
    CHECK(host.observed("deliver_seconds") == std::vector<double>{0.25});

    REQUIRE(sink.hooks().size() == 1);
    CHECK(sink.hooks()[0].time_zone == "Asia/Tokyo");
    tg::testing::Call slot = tg::testing::dry_run();
    slot.scheduled_unix_ms = 1700000000000;
    CHECK(sink.run_hook("tick", slot) == TG_OK);
    CHECK(host.logs.back().level == TG_LOG_WARN);
    CHECK(host.logs.back().message == "tick 1700000000000 dry");
    CHECK(sink.run_hook("tock").error == "this sink has no hook named 'tock'");

    const auto checked = sink.check();
    CHECK(checked == TG_DROP);
    CHECK(checked.error == "configuration check failed");
    CHECK(host.logged("echo: nothing to check against"));
    CHECK(host.log_text().find("error echo: nothing to check against\n") != std::string::npos);
}

TEST_CASE("the fake host reports failures with the sink's message") {
    tg::testing::FakeHost host;
    auto retry = host.create<EchoSink>(R"({"fail_with": "retry"})");
    const auto result = retry.deliver(one_alert);
    CHECK(result == TG_RETRY_LATER);
    CHECK(result.error == "Redmine answered 503");
    std::ostringstream printed;
    printed << result;
    CHECK(printed.str() == "TG_RETRY_LATER (Redmine answered 503)");
    CHECK(host.create<EchoSink>(R"({"fail_with": "drop"})").deliver(one_alert) == TG_DROP);
    // A notification that does not read is dropped, naming the field.
    auto sink = host.create<EchoSink>();
    CHECK(sink.deliver(R"({"alerts":"none"})").error == "notification: alerts must be an array");
}

TEST_CASE("the fake host plays an older 1.x host") {
    tg::testing::FakeHost host;
    host.shared_store = "host=db dbname=tg";
    {
        auto sink = host.create<EchoSink>();
        CHECK(host.logged("store=[host=db dbname=tg]"));
    }
    host.abi_minor = 0;  // no metrics (1.1), no shared store (1.2)
    host.logs.clear();
    auto sink = host.create<EchoSink>();
    CHECK(host.logged("store=[]"));
    CHECK(sink.deliver(one_alert) == TG_OK);
    CHECK(host.metrics.empty());
}
