// The scheduler with a real spool and dispatcher, and a sink compiled into the test whose hook
// counts its runs.
#include "scheduler/scheduler.hpp"
#include "dispatch/dispatcher.hpp"
#include "spool/spool.hpp"
#include "time/cron.hpp"
#include "time/time_zone.hpp"

#include "test_support.hpp"

#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

#include <atomic>

namespace {

std::atomic<int> hook_runs{0};
std::atomic<int64_t> last_slot{0};

class CountingSink : public tg::Sink {
  public:
    explicit CountingSink(const tg::SinkContext&) {}
    void deliver(const tg::Delivery&) override {}
    std::vector<tg::Hook> hooks() const override { return {{"tick", "* * * * *", "Asia/Tokyo"}}; }
    void run_hook(const tg::HookRun& run) override {
        last_slot = run.scheduled_unix_ms;
        ++hook_runs;
    }
};

}  // namespace

TG_SINK_PLUGIN(CountingSink, "counting", "1")

using namespace tg::host;
using tg::common::CronSchedule;
using tg::common::find_time_zone;

TEST_CASE(
    "a run missed while the host was down happens once after start, then follows the schedule") {
    tg::test::TempDir dir;
    Spool spool(dir / "spool.sqlite3");
    Metrics metrics;
    auto sink = std::make_shared<SinkInstance>(tg_sink_entry(), "test", "counting", "{}",
                                               dir.path(), SinkHostContext{});
    REQUIRE(sink->hooks().size() == 1);
    CHECK(sink->hooks()[0].default_cron == "* * * * *");

    // The last run was ten minutes ago: ten slots were missed.
    const int64_t ten_minutes_ago = now_ms() - 10 * 60 * 1000;
    spool.set_hook_last_slot("counting", "tick", ten_minutes_ago);
    hook_runs = 0;

    Dispatcher dispatcher(spool, metrics);
    dispatcher.add_sink(sink, RetryPolicy{});
    Scheduler scheduler(spool, dispatcher,
                        {{"counting", "tick", "* * * * *", CronSchedule::parse("* * * * *"),
                          find_time_zone("Asia/Tokyo")}});
    scheduler.start();
    REQUIRE(tg::test::eventually([] { return hook_runs.load() >= 1; }, std::chrono::seconds(10)));
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    scheduler.stop();
    dispatcher.stop(std::chrono::seconds(5));

    // One run for all the missed slots, for the first missed slot, and recorded.
    CHECK(hook_runs.load() == 1);
    CHECK(last_slot.load() > ten_minutes_ago);
    CHECK(last_slot.load() <= ten_minutes_ago + 60 * 1000);
    CHECK(*spool.hook_last_slot("counting", "tick") > now_ms() - 10 * 1000);
    CHECK(metrics.render().find(
              R"(tickets_grouping_hook_runs_total{sink="counting",hook="tick",result="ok"} 1)") !=
          std::string::npos);
}

TEST_CASE("a hook seen for the first time does not run at once") {
    tg::test::TempDir dir;
    Spool spool(dir / "spool.sqlite3");
    Metrics metrics;
    auto sink = std::make_shared<SinkInstance>(tg_sink_entry(), "test", "counting", "{}",
                                               dir.path(), SinkHostContext{});
    hook_runs = 0;
    Dispatcher dispatcher(spool, metrics);
    dispatcher.add_sink(sink, RetryPolicy{});
    // Daily at a time that is never "now" within the test.
    const auto cron = CronSchedule::parse("0 0 1 1 *");
    Scheduler scheduler(spool, dispatcher,
                        {{"counting", "tick", "0 0 1 1 *", cron, find_time_zone("UTC")}});
    scheduler.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    scheduler.stop();
    dispatcher.stop(std::chrono::seconds(5));
    CHECK(hook_runs.load() == 0);
    CHECK(spool.hook_last_slot("counting", "tick").has_value());
}
