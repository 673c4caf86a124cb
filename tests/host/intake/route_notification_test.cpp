#include "intake/route_notification.hpp"
#include "config/env.hpp"
#include "config/routing_loader.hpp"

#include "test_support.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

using namespace tg::host;

namespace {

RoutingConfig routing(const std::string& yaml) {
    return load_routing_text(yaml, "routes.yaml", Environment::from_process());
}

size_t alert_count(const std::string& payload) {
    return Poco::JSON::Parser()
        .parse(payload)
        .extract<Poco::JSON::Object::Ptr>()
        ->getArray("alerts")
        ->size();
}

}  // namespace

TEST_CASE("each sink gets only the alerts routed to it, once") {
    const auto config = routing(R"(
sinks:
  main: {plugin: log_sink, config: {path: /tmp/x}}
  critical: {plugin: log_sink, config: {path: /tmp/y}}
route:
  sink: main
  routes:
    - matchers: ['instance=~"server0[12]"']
      sink: critical
      continue: true
    - matchers: ['instance="server01"']
      sink: critical
)");
    const auto notification = parse_notification(
        tg::test::fixture("c_firing_group_4th_alert_joins_HighCPU_server01-04.json"));
    const auto deliveries = route_notification(notification, config.root);
    REQUIRE(deliveries.size() == 2);
    std::map<std::string, const NewDelivery*> by_sink;
    for (const auto& d : deliveries) by_sink[d.sink] = &d;
    // server01 matched two routes of `critical` but reaches it once. server02 matched a child
    // (with continue) and no later one: as in Alertmanager, the parent's sink is not used then.
    CHECK(alert_count(by_sink.at("critical")->payload) == 2);
    CHECK(alert_count(by_sink.at("main")->payload) == 2);
    CHECK(by_sink.at("critical")->route == "route.routes[0],route.routes[1]");
}

TEST_CASE("the idempotency key is the same for the same content and sink only") {
    CHECK(idempotency_key("a", "{}") == idempotency_key("a", "{}"));
    CHECK(idempotency_key("a", "{}") != idempotency_key("b", "{}"));
    CHECK(idempotency_key("a", "{}") != idempotency_key("a", "{ }"));
}
