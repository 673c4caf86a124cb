// routes_here (sink ABI 1.5) in the real host: a sink instance learns whether the routing file
// sends an alert with given labels to it, as a webhook's alert would be routed (nested routes,
// continue), and after a reload that keeps the instance, by the new routes; a refused reload
// leaves the running ones. routes_here_sink (tests/sdk/plugins) asks about each `ask_<id>`
// annotation of the alerts delivered to it and logs "routes_here <instance> <id>: 1|0|unknown".
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using namespace tg::test;

namespace {

std::string sinks() {
    const std::string plugin = TG_TEST_ROUTES_HERE_SINK;
    return "sinks:\n  a:\n    plugin: " + plugin + "\n  b:\n    plugin: " + plugin + "\n";
}

// env=prod: team b to b, team both to a and then b (continue), any other team stays at the prod
// node (a, inherited); env=dev to b; anything else at the root (a).
std::string first_routes() {
    return sinks() + R"(route:
  sink: a
  routes:
    - matchers: ['env = "prod"']
      routes:
        - matchers: ['team = "b"']
          sink: b
        - matchers: ['team = "both"']
          sink: a
          continue: true
        - matchers: ['team =~ "both|x"']
          sink: b
    - matchers: ['env = "dev"']
      sink: b
)";
}

// The same sinks (so both instances are kept), other routes: team b now goes to a, dev to a, and
// the root to b.
std::string second_routes() {
    return sinks() + R"(route:
  sink: b
  routes:
    - matchers: ['env = "prod"']
      routes:
        - matchers: ['team = "b"']
          sink: a
        - matchers: ['team = "both"']
          sink: a
          continue: true
        - matchers: ['team = "both"']
          sink: b
    - matchers: ['env = "dev"']
      sink: a
)";
}

// One alert routed to both sinks by either file, asking about six label sets (phase-prefixed
// ids, so each phase's lines are its own).
std::string asking_body(const std::string& phase) {
    const auto ask = [&](const std::string& id, const std::string& labels) {
        return "\"ask_" + phase + "_" + id + "\":\"" + labels + "\"";
    };
    return R"({"alerts":[{"labels":{"alertname":"Ask)" + phase +
           R"(","env":"prod","team":"both"},"annotations":{)" +
           ask("prod_a", "alertname=HighCPU,env=prod,team=サーバー運用") + "," +
           ask("prod_b", "alertname=HighCPU,env=prod,team=b") + "," +
           ask("prod_both", "alertname=HighCPU,env=prod,team=both") + "," +
           ask("dev", "alertname=HighCPU,env=dev") + "," + ask("root", "alertname=HighCPU") + "," +
           ask("bad", "=nameless") + "}}]}";
}

size_t count_of(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("routes_here answers by the running routes, and by the new ones after a reload") {
    TempDir dir;
    write_file(dir / "routes.yaml", first_routes());
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    // Both sinks answer for every label set: a's and b's lines, six of each.
    const auto answered = [&](const std::string& phase) {
        return eventually([&] {
            const std::string log = host.log();
            return count_of(log, "routes_here a " + phase + "_") == 6 &&
                   count_of(log, "routes_here b " + phase + "_") == 6;
        });
    };
    const auto said = [&](const std::string& line) {
        INFO(host.log());
        return host.log().find(line) != std::string::npos;
    };

    REQUIRE(http_post(host.port(), "/webhook", asking_body("p1")).status == 200);
    REQUIRE(answered("p1"));
    CHECK(said("routes_here a p1_prod_a: 1"));  // the prod node itself: its inherited sink
    CHECK(said("routes_here b p1_prod_a: 0"));
    CHECK(said("routes_here a p1_prod_b: 0"));
    CHECK(said("routes_here b p1_prod_b: 1"));
    CHECK(said("routes_here a p1_prod_both: 1"));  // continue: both leaves
    CHECK(said("routes_here b p1_prod_both: 1"));
    CHECK(said("routes_here a p1_dev: 0"));
    CHECK(said("routes_here b p1_dev: 1"));
    CHECK(said("routes_here a p1_root: 1"));
    CHECK(said("routes_here b p1_root: 0"));
    CHECK(said("routes_here a p1_bad: unknown"));  // an empty label name: refused
    CHECK(said("routes_here b p1_bad: unknown"));

    // The same sinks, other routes: the instances stay (no second "created") and follow them.
    write_file(dir / "routes.yaml", second_routes());
    host.send_signal(SIGHUP);
    REQUIRE(
        eventually([&] { return host.log().find("configuration reloaded") != std::string::npos; }));
    REQUIRE(http_post(host.port(), "/webhook", asking_body("p2")).status == 200);
    REQUIRE(answered("p2"));
    CHECK(count_of(host.log(), "routes_here_sink a created") == 1);
    CHECK(count_of(host.log(), "routes_here_sink b created") == 1);
    CHECK(said("routes_here a p2_prod_a: 0"));  // the prod node inherits the root's b now
    CHECK(said("routes_here b p2_prod_a: 1"));
    CHECK(said("routes_here a p2_prod_b: 1"));
    CHECK(said("routes_here b p2_prod_b: 0"));
    CHECK(said("routes_here a p2_prod_both: 1"));
    CHECK(said("routes_here b p2_prod_both: 1"));
    CHECK(said("routes_here a p2_dev: 1"));
    CHECK(said("routes_here b p2_dev: 0"));
    CHECK(said("routes_here a p2_root: 0"));
    CHECK(said("routes_here b p2_root: 1"));

    // A refused reload (a route to a sink that does not exist) leaves the running routes.
    write_file(dir / "routes.yaml", first_routes() +
                                        "    - matchers: ['env = \"qa\"']\n"
                                        "      sink: nowhere\n");
    CHECK(http_post(host.port(), "/-/reload", "").status == 400);
    REQUIRE(http_post(host.port(), "/webhook", asking_body("p3")).status == 200);
    REQUIRE(answered("p3"));
    CHECK(said("routes_here a p3_prod_b: 1"));
    CHECK(said("routes_here b p3_prod_b: 0"));
    CHECK(said("routes_here a p3_root: 0"));
    CHECK(said("routes_here b p3_root: 1"));
    CHECK(host.terminate() == 0);
}
