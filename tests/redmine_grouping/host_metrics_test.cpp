// The sink's metrics through the real host (sink ABI 1.1) after replaying fixtures a, b and d2
// into the real Redmine: redmine_actions_total per action, the Redmine request histogram, and
// one info line per delivered alert with its route, key and issue id.
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

namespace {

// The value of one sample line, or -1.
double sample(const std::string& metrics, const std::string& series) {
    const std::string text = "\n" + metrics;
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE(
    "fixtures a, b, d2 through the host: /metrics counts created, parented, resolved and times "
    "requests") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("host-metrics");
    rgtest::TempDir dir;
    tg::test::HostProcess host({"--env-file", rgtest::write_env_file(dir, project), "--state-dir",
                                (dir.path / "state").string()},
                               (dir.path / "host.log").string());
    REQUIRE(host.wait_ready());
    for (const char* name :
         {"a_firing_single_alert_HighCPU_server01.json",
          "b_firing_group_3_alerts_HighCPU_server01-03.json", "d2_all_resolved_HighCPU.json"}) {
        REQUIRE(tg::test::http_post(host.port(), "/webhook", rgtest::fixture(name)).status == 200);
        REQUIRE(tg::test::eventually(
            [&] {
                return sample(tg::test::http_get(host.port(), "/metrics").body,
                              "tickets_grouping_spool_depth") == 0;
            },
            std::chrono::seconds(60)));
    }
    const std::string metrics = tg::test::http_get(host.port(), "/metrics").body;
    INFO(metrics);
    const std::string actions =
        "tickets_grouping_sink_redmine_actions_total{sink=\"redmine\",action=";
    // server01, then the Root, server02 and server03 under it; server01 moved under the Root;
    // d2 resolves server01, server03 and server04 (never seen): a 解消 note on the first two.
    CHECK(sample(metrics, actions + "\"created\"}") == 4);
    CHECK(sample(metrics, actions + "\"parented\"}") == 1);
    CHECK(sample(metrics, actions + "\"resolved\"}") == 2);
    CHECK(sample(metrics, actions + "\"noted\"}") == -1);   // no recurrence in this sequence
    CHECK(sample(metrics, actions + "\"closed\"}") == -1);  // close_on_resolve is off
    CHECK(metrics.find("# TYPE tickets_grouping_sink_redmine_actions_total counter") !=
          std::string::npos);

    const std::string histogram = "tickets_grouping_sink_redmine_request_duration_seconds";
    CHECK(metrics.find("# TYPE " + histogram + " histogram") != std::string::npos);
    // Four creates answered 201, four PUTs (the parent, two notes, and the first ticket's
    // description written again once its page showed Redmine's text formatting) 204.
    CHECK(sample(metrics, histogram + "_count{sink=\"redmine\",method=\"POST\",status=\"201\"}") ==
          4);
    CHECK(sample(metrics,
                 histogram +
                     "_bucket{sink=\"redmine\",method=\"POST\",status=\"201\",le=\"+Inf\"}") == 4);
    CHECK(sample(metrics, histogram + "_count{sink=\"redmine\",method=\"PUT\",status=\"204\"}") ==
          4);
    CHECK(sample(metrics, histogram + "_sum{sink=\"redmine\",method=\"POST\",status=\"201\"}") > 0);
    CHECK(sample(metrics,
                 histogram + "_bucket{sink=\"redmine\",method=\"PUT\",status=\"204\",le=\"10\"}") ==
          4);

    // One info line per delivered alert, naming the route, the alert and its Redmine issue.
    const std::string log = host.log();
    INFO(log);
    const auto server03 = admin.find(project, "[Alert] HighCPU (server03)");
    REQUIRE(server03);
    const std::string id = std::to_string(server03->getValue<int64_t>("id"));
    CHECK(log.find("alert delivered route=route alert=\\\"[Alert] HighCPU (server03)\\\" "
                   "status=firing issue=" +
                   id) != std::string::npos);
    CHECK(log.find("alert delivered route=route alert=\\\"[Alert] HighCPU (server03)\\\" "
                   "status=resolved issue=" +
                   id) != std::string::npos);
    CHECK(log.find("sink=redmine") != std::string::npos);
    CHECK(host.terminate() == 0);
}
