// The host's routes_here (sink ABI 1.5) through SinkInstance's services table: routes_here_for
// over a routing file answers as match_routes routes a webhook's alert, set_routes_here (what a
// reload does to an instance it keeps) replaces the answer while the sink asks from its own
// threads, and an invalid call or a throwing function never crosses the boundary.
#include "app/configuration.hpp"
#include "config/routing_loader.hpp"

#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

const tg_host_services* given_services = nullptr;  // of the last instance created

class ServicesSink : public tg::Sink {
  public:
    explicit ServicesSink(const tg::SinkContext&) {}
    void deliver(const tg::Delivery&) override {}
};

extern "C" tg_status create_keeping_services(const tg_sink_create_args* args, void** instance,
                                             tg_error_buf* error) {
    given_services = args->host;
    return tg::detail::Adapter<ServicesSink>::create(args, instance, error);
}

const tg_sink_plugin* table() {
    static const tg_sink_plugin plugin = [] {
        using Adapter = tg::detail::Adapter<ServicesSink>;
        tg_sink_plugin t{};
        t.struct_size = sizeof t;
        t.abi_major = TG_SINK_ABI_MAJOR;
        t.abi_minor = TG_SINK_ABI_MINOR;
        t.plugin_name = "services";
        t.plugin_version = "1";
        t.create = &create_keeping_services;
        t.destroy = &Adapter::destroy;
        t.deliver = &Adapter::deliver;
        return t;
    }();
    return &plugin;
}

std::shared_ptr<const tg::host::RoutingConfig> routing(const std::string& text) {
    return std::make_shared<const tg::host::RoutingConfig>(
        tg::host::load_routing_text(text, "routes.yaml", tg::host::Environment()));
}

const char* const two_sinks = R"(sinks:
  a:
    plugin: x
  b:
    plugin: x
route:
  sink: a
  routes:
    - matchers: ['env = "prod"']
      routes:
        - matchers: ['team = "b"']
          sink: b
        - matchers: ['team = "both"']
          continue: true
        - matchers: ['team = "both"']
          sink: b
    - matchers: ['env = "dev"']
      sink: b
)";

using Labels = std::map<std::string, std::string>;

struct Made {
    std::filesystem::path dir;
    std::shared_ptr<tg::host::SinkInstance> instance;
    tg::HostServices host;
};

Made make(const std::string& name, tg::host::SinkHostContext context) {
    const auto dir = std::filesystem::temp_directory_path() / ("tg-routes-here-" + name);
    std::filesystem::create_directories(dir);
    auto instance = std::make_shared<tg::host::SinkInstance>(table(), "test", name, "{}",
                                                             dir.string(), std::move(context));
    return {dir, instance, tg::HostServices(given_services)};
}

}  // namespace

using tg::host::routes_here_for;
using tg::host::SinkHostContext;

TEST_CASE("routes_here_for answers as the route tree routes a webhook's alert") {
    const auto routes = routing(two_sinks);
    const auto a = routes_here_for(routes, "a"), b = routes_here_for(routes, "b");
    const Labels prod_other{{"alertname", "X"}, {"env", "prod"}, {"team", "ops"}};
    const Labels prod_b{{"alertname", "X"}, {"env", "prod"}, {"team", "b"}};
    const Labels prod_both{{"alertname", "X"}, {"env", "prod"}, {"team", "both"}};
    const Labels dev{{"alertname", "X"}, {"env", "dev"}};
    CHECK(a(prod_other));  // the prod node: the root's sink, inherited
    CHECK_FALSE(b(prod_other));
    CHECK_FALSE(a(prod_b));
    CHECK(b(prod_b));
    CHECK(a(prod_both));  // continue: both leaves
    CHECK(b(prod_both));
    CHECK_FALSE(a(dev));
    CHECK(b(dev));
    CHECK(a({}));  // the root
    CHECK_FALSE(routes_here_for(routes, "c")(prod_both));
    CHECK_FALSE(routes_here_for(nullptr, "a")(prod_both));
}

TEST_CASE("a sink's routes_here follows set_routes_here, from threads of its own") {
    const auto first = routing(two_sinks);
    SinkHostContext context;
    context.routes_here = routes_here_for(first, "b");
    Made b = make("b", std::move(context));
    REQUIRE(given_services->struct_size >= offsetof(tg_host_services, routes_here) + 8);
    CHECK(b.host.routes_here({{"env", "prod"}, {"team", "b"}}) == std::optional<bool>(true));
    CHECK(b.host.routes_here({{"env", "prod"}, {"team", "運用"}}) == std::optional<bool>(false));

    // The sink asks from four threads while a reload swaps the routes back and forth.
    const auto everything_to_b =
        routing("sinks:\n  a:\n    plugin: x\n  b:\n    plugin: x\nroute:\n  sink: b\n");
    std::atomic<bool> stop{false};
    std::atomic<int> wrong{0};
    std::vector<std::thread> askers;
    for (int i = 0; i < 4; ++i)
        askers.emplace_back([&] {
            while (!stop)
                if (b.host.routes_here({{"env", "prod"}, {"team", "b"}}) !=
                    std::optional<bool>(true))
                    ++wrong;
        });
    for (int i = 0; i < 200; ++i)
        b.instance->set_routes_here(routes_here_for(i % 2 ? first : everything_to_b, "b"));
    stop = true;
    for (auto& t : askers) t.join();
    CHECK(wrong == 0);

    b.instance->set_routes_here(routes_here_for(everything_to_b, "b"));
    CHECK(b.host.routes_here({{"env", "dev"}}) == std::optional<bool>(true));
    CHECK(b.host.routes_here({}) == std::optional<bool>(true));
    b.instance->set_routes_here(routes_here_for(everything_to_b, "a"));
    CHECK(b.host.routes_here({{"env", "dev"}}) == std::optional<bool>(false));
    b.instance.reset();
    std::filesystem::remove_all(b.dir);
}

TEST_CASE("routes_here: -1 for an invalid call, 0 without routes or when the host's check throws") {
    Made sink = make("c", SinkHostContext{});  // no routes_here: nothing is routed here
    const tg_host_services* services = given_services;
    CHECK(sink.host.routes_here({{"alertname", "X"}}) == std::optional<bool>(false));
    CHECK(services->routes_here(services->host_ctx, nullptr, 0) == 0);
    CHECK(services->routes_here(services->host_ctx, nullptr, 2) == -1);
    const tg_label nameless[] = {{{"alertname", 9}, {"X", 1}}, {{"", 0}, {"v", 1}}};
    CHECK(services->routes_here(services->host_ctx, nameless, 2) == -1);
    CHECK(sink.host.routes_here({{"", "v"}}) == std::nullopt);

    sink.instance->set_routes_here([](const Labels&) -> bool { throw std::runtime_error("no"); });
    CHECK(services->routes_here(services->host_ctx, nameless, 1) == 0);
    // Borrowed strings need no NUL; a name given twice counts with its last value.
    std::map<std::string, std::string> seen;
    sink.instance->set_routes_here([&](const Labels& labels) {
        seen = labels;
        return true;
    });
    const tg_label twice[] = {{{"envXX", 3}, {"prodXX", 4}}, {{"env", 3}, {"dev", 3}}};
    CHECK(services->routes_here(services->host_ctx, twice, 2) == 1);
    CHECK(seen == Labels{{"env", "dev"}});
    sink.instance.reset();
    std::filesystem::remove_all(sink.dir);
}
