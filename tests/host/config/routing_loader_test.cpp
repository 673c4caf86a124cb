#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "config/route_matcher.hpp"
#include "config/routing_loader.hpp"

using namespace tg::host;
using namespace std::chrono_literals;

namespace {

const char* kExample = R"(# optional top-level settings
plugin_dirs: [/opt/tg/plugins, "${PLUGIN_DIR}"]
state_dir: ${STATE_DIR:-/var/lib/tickets-grouping}
time_zone: Asia/Tokyo
server:
  listen: 0.0.0.0:5005
  max_body_bytes: 10485760
  max_threads: 32
  max_queued: 128
sinks:
  redmine:
    plugin: redmine_grouping
    config:
      url: ${REDMINE_URL}
      close_on_resolve: true
      project_id: 7
      tracker: "1"
      subject_prefix: "[障害]"
      nothing: ~
    retry:
      initial_backoff: 500ms
      max_backoff: 5m
      max_attempts: 10
      max_age: 7d
    hooks:
      carry_over:
        schedule: "0 9 * * 1-5"
        time_zone: America/New_York
        enabled: true
      report:
        enabled: false
  audit:
    plugin: log_sink
    config: {path: /var/log/tickets-grouping/alerts.jsonl}
  db.pager-2:
    plugin: /opt/tg/custom/pager.so
route:
  sink: redmine
  routes:
    - matchers: ['severity = "critical"', 'team=~"db|infra"']
      sink: audit
      continue: true
    - matchers: ['alertname = Watchdog']
      sink: audit
    - matchers: [team=db]
      routes:
        - matchers: ['severity="page"']
          sink: db.pager-2
        - matchers: [env!=prod]
)";

Environment test_env() {
    Environment env;
    env.set("PLUGIN_DIR", "/srv/plugins");
    env.set("REDMINE_URL", "https://redmine.example.com");
    return env;
}

std::string error_of(const std::string& yaml, const Environment& env = test_env()) {
    try {
        load_routing_text(yaml, "routes.yaml", env);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

const char* kSinks = "sinks:\n  a:\n    plugin: log_sink\n  b:\n    plugin: log_sink\n";

}  // namespace

TEST_CASE("loader: the full example", "[loader]") {
    RoutingConfig cfg = load_routing_text(kExample, "routes.yaml", test_env());
    CHECK(cfg.source_file == "routes.yaml");
    CHECK(cfg.plugin_dirs == std::vector<std::string>{"/opt/tg/plugins", "/srv/plugins"});
    CHECK(cfg.state_dir == "/var/lib/tickets-grouping");
    CHECK(cfg.time_zone == "Asia/Tokyo");
    CHECK(cfg.server.listen == "0.0.0.0:5005");
    CHECK(cfg.server.max_body_bytes == 10485760);
    CHECK(cfg.server.max_threads == 32);
    CHECK(cfg.server.max_queued == 128);

    REQUIRE(cfg.sinks.size() == 3);
    const SinkConfig* r = cfg.find_sink("redmine");
    REQUIRE(r != nullptr);
    CHECK(r->name == "redmine");
    CHECK(r->line == 11);
    CHECK(r->plugin == "redmine_grouping");
    CHECK(r->config_json ==
          R"({"url":"https://redmine.example.com","close_on_resolve":true,"project_id":7,)"
          R"("tracker":"1","subject_prefix":"[障害]","nothing":null})");
    CHECK(r->retry.initial_backoff == 500ms);
    CHECK(r->retry.max_backoff == 5min);
    CHECK(r->retry.max_attempts == 10);
    CHECK(r->retry.max_age == std::chrono::hours{7 * 24});
    REQUIRE(r->hooks.size() == 2);
    CHECK(r->hooks.at("carry_over").cron == "0 9 * * 1-5");
    CHECK(r->hooks.at("carry_over").time_zone == "America/New_York");
    CHECK(r->hooks.at("carry_over").enabled);
    CHECK_FALSE(r->hooks.at("report").cron.has_value());
    CHECK_FALSE(r->hooks.at("report").enabled);

    const SinkConfig* a = cfg.find_sink("audit");
    REQUIRE(a != nullptr);
    CHECK(a->config_json == R"({"path":"/var/log/tickets-grouping/alerts.jsonl"})");
    CHECK(a->retry.max_attempts == 0);  // defaults
    CHECK(a->retry.initial_backoff == 1s);
    CHECK(cfg.find_sink("db.pager-2")->config_json == "{}");
    CHECK(cfg.find_sink("nope") == nullptr);

    const Route& root = cfg.root;
    CHECK(root.path == "route");
    CHECK(root.sink == "redmine");
    REQUIRE(root.routes.size() == 3);
    CHECK(root.routes[0].path == "route.routes[0]");
    CHECK(root.routes[0].sink == "audit");
    CHECK(root.routes[0].continue_matching);
    REQUIRE(root.routes[0].matchers.size() == 2);
    CHECK(root.routes[0].matchers[1].to_string() == "team=~\"db|infra\"");
    CHECK(root.routes[2].sink == "redmine");  // inherited
    CHECK(root.routes[2].routes[0].path == "route.routes[2].routes[0]");
    CHECK(root.routes[2].routes[0].sink == "db.pager-2");
    CHECK(root.routes[2].routes[1].sink == "redmine");  // inherited through two levels

    auto sinks = [&](Labels l) {
        std::vector<std::string> out;
        for (const Route* x : match_routes(cfg.root, l)) out.push_back(x->sink);
        return out;
    };
    CHECK(sinks({{"severity", "critical"}, {"team", "db"}, {"env", "prod"}}) ==
          std::vector<std::string>{"audit", "redmine"});  // continue, then team=db (no child)
    CHECK(sinks({{"severity", "critical"}, {"team", "web"}}) ==
          std::vector<std::string>{"redmine"});
    CHECK(sinks({{"alertname", "Watchdog"}}) == std::vector<std::string>{"audit"});
    CHECK(sinks({{"team", "db"}, {"severity", "page"}}) == std::vector<std::string>{"db.pager-2"});
    CHECK(sinks({{"team", "db"}, {"env", "dev"}}) == std::vector<std::string>{"redmine"});
}

TEST_CASE("loader: minimal file and from disk", "[loader]") {
    auto dir = std::filesystem::temp_directory_path() / "tg_config_tests";
    std::filesystem::create_directories(dir);
    auto path = (dir / "routes.yaml").string();
    std::ofstream(path) << "sinks:\n  log:\n    plugin: log_sink\nroute:\n  sink: log\n";
    RoutingConfig cfg = load_routing_file(path, Environment());
    CHECK(cfg.source_file == path);
    CHECK(cfg.sinks.size() == 1);
    CHECK(cfg.sinks[0].config_json == "{}");
    CHECK(cfg.root.sink == "log");
    CHECK(cfg.root.routes.empty());
    CHECK_FALSE(cfg.time_zone.has_value());
    CHECK(cfg.server.max_threads == 64);
    CHECK_THROWS_WITH(load_routing_file(path + ".missing", Environment()),
                      Catch::Contains("routes.yaml.missing: cannot read"));
}

TEST_CASE("loader: errors carry file:line: key path", "[loader]") {
    std::string s = kSinks;  // lines 1-5
    SECTION("unknown keys") {
        CHECK(error_of(s + "route:\n  sink: a\n  reciever: b\n") ==
              "routes.yaml:8: route.reciever: unknown key \"reciever\" (allowed here: sink, "
              "matchers, continue, routes)");
        CHECK_THAT(error_of("colour: red\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:1: colour: unknown key"));
        CHECK_THAT(error_of("sinks:\n  a:\n    plugin: x\n    retry:\n      max_tries: 3\n"
                            "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:5: sinks.a.retry.max_tries: unknown key"));
        CHECK_THAT(error_of("sinks:\n  a:\n    plugin: x\n    hooks:\n      h:\n        cron: x\n"
                            "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:6: sinks.a.hooks.h.cron: unknown key"));
        CHECK_THAT(error_of(s + "route:\n  sink: a\n  routes:\n    - match: {a: b}\n"),
                   Catch::StartsWith("routes.yaml:9: route.routes[0].match: unknown key"));
        // Anything goes inside config:
        CHECK(error_of("sinks:\n  a:\n    plugin: x\n    config: {whatever: [1, {b: c}]}\n"
                       "route:\n  sink: a\n") == "no error");
    }
    SECTION("bad values are type-checked") {
        CHECK(error_of("server:\n  max_threads: abc\n" + s + "route:\n  sink: a\n") ==
              "routes.yaml:2: server.max_threads: expected an integer, got \"abc\"");
        CHECK_THAT(error_of("server:\n  max_threads: 0\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:2: server.max_threads: 0 is out of range"));
        CHECK_THAT(error_of("server:\n  max_queued: 12.5\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:2: server.max_queued: expected an integer"));
        CHECK_THAT(error_of("server:\n  max_body_bytes: [1]\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:2: server.max_body_bytes: expected an integer"));
        CHECK_THAT(error_of("server:\n  listen: 5005\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:2: server.listen: expected ADDRESS:PORT"));
        CHECK_THAT(error_of("server:\n  listen: \"0.0.0.0:99999\"\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:2: server.listen: expected ADDRESS:PORT"));
        CHECK_THAT(error_of("server: 5\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:1: server: expected a map"));
        CHECK(error_of("sinks:\n  redmine:\n    plugin: x\n    retry:\n      max_backoff: abc\n"
                       "route:\n  sink: redmine\n") ==
              "routes.yaml:5: sinks.redmine.retry.max_backoff: invalid duration \"abc\": expected "
              "a number followed by a unit (ms, s, m, h, d, w, y)");
        CHECK_THAT(error_of("sinks:\n  a:\n    plugin: x\n    retry:\n      initial_backoff: 1m\n"
                            "      max_backoff: 10s\nroute:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:6: sinks.a.retry.max_backoff: max_backoff (10s) "
                                     "is less than initial_backoff (1m)"));
        CHECK_THAT(
            error_of("sinks:\n  a:\n    plugin: x\n    retry:\n      max_attempts: -1\n"
                     "route:\n  sink: a\n"),
            Catch::StartsWith("routes.yaml:5: sinks.a.retry.max_attempts: -1 is out of range"));
        CHECK_THAT(error_of(s + "route:\n  sink: a\n  routes:\n    - continue: yes\n"),
                   Catch::StartsWith("routes.yaml:9: route.routes[0].continue: expected true or "
                                     "false, got \"yes\""));
        CHECK_THAT(error_of("sinks:\n  a:\n    plugin: x\n    config: [1, 2]\nroute:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:4: sinks.a.config: expected a map"));
        CHECK_THAT(error_of("plugin_dirs: /opt\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:1: plugin_dirs: expected a list"));
    }
    SECTION("required values") {
        CHECK_THAT(error_of("sinks:\n  a:\n    config: {}\nroute:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:2: sinks.a.plugin: missing required key"));
        CHECK_THAT(error_of("sinks:\n  a:\nroute:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:2: sinks.a: missing required key \"plugin\""));
        CHECK_THAT(error_of("sinks:\n  a:\n    plugin: \"\"\nroute:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:3: sinks.a.plugin: must not be empty"));
        CHECK_THAT(error_of(s + "route:\n  routes:\n    - sink: a\n"),
                   Catch::StartsWith("routes.yaml:7: route.sink: missing required key"));
        CHECK_THAT(error_of(s), Catch::StartsWith("routes.yaml:1: route: missing required key"));
        CHECK_THAT(error_of("route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:1: sinks: missing required key"));
        CHECK_THAT(error_of(""), Catch::StartsWith("routes.yaml:1: the file is empty"));
        CHECK_THAT(error_of("# only a comment\n"),
                   Catch::StartsWith("routes.yaml:1: the file is empty"));
        CHECK_THAT(error_of("- a\n- b\n"), Catch::StartsWith("routes.yaml:1: expected a map"));
    }
    SECTION("routes to unknown sinks and root restrictions") {
        CHECK(
            error_of(s + "route:\n  sink: a\n  routes:\n    - matchers: [x=y]\n      sink: c\n") ==
            "routes.yaml:10: route.routes[0].sink: unknown sink \"c\" (defined: a, b)");
        CHECK_THAT(error_of(s + "route:\n  sink: nope\n"),
                   Catch::StartsWith("routes.yaml:7: route.sink: unknown sink \"nope\""));
        CHECK_THAT(
            error_of(s + "route:\n  sink: a\n  matchers: [x=y]\n"),
            Catch::StartsWith("routes.yaml:8: route.matchers: the root route matches every alert"));
        CHECK_THAT(error_of(s + "route:\n  sink: a\n  continue: true\n"),
                   Catch::StartsWith("routes.yaml:8: route.continue: the root route may not"));
        CHECK_THAT(
            error_of(s + "route:\n  sink: a\n  routes:\n    - sink: b\n      routes:\n"
                         "        - matchers: ['x=~\"(\"']\n"),
            Catch::StartsWith("routes.yaml:11:26: route.routes[0].routes[0].matchers[0]: invalid "
                              "matcher"));
        CHECK_THAT(
            error_of(s + "route:\n  sink: a\n  routes:\n    - matchers:\n        - ok=1\n"
                         "        - 'x y'\n"),
            Catch::StartsWith("routes.yaml:11:14: route.routes[0].matchers[1]: invalid matcher"));
    }
    SECTION("sink names") {
        CHECK_THAT(error_of("sinks:\n  a:\n    plugin: x\n  'bad name':\n    plugin: x\n"
                            "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:4: sinks.bad name: invalid sink name"));
        CHECK_THAT(
            error_of("sinks:\n  a:\n    plugin: x\n  a:\n    plugin: y\nroute:\n  sink: a\n"),
            Catch::StartsWith("routes.yaml:4: sinks.a: duplicate key"));
        CHECK_THAT(error_of("sinks: {}\nroute:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:1: sinks: at least one sink"));
    }
    SECTION("cron expressions and time zones are validated") {
        auto hook = [](const std::string& body) {
            return "sinks:\n  a:\n    plugin: x\n    hooks:\n      carry_over:\n" + body +
                   "route:\n  sink: a\n";
        };
        CHECK_THAT(
            error_of(hook("        schedule: \"0 25 * * *\"\n")),
            Catch::StartsWith("routes.yaml:6: sinks.a.hooks.carry_over.schedule: invalid cron "
                              "schedule \"0 25 * * *\": hour field"));
        CHECK_THAT(
            error_of(hook("        schedule: \"0 0 30 2 *\"\n")),
            Catch::StartsWith("routes.yaml:6: sinks.a.hooks.carry_over.schedule: cron schedule "
                              "\"0 0 30 2 *\" never fires"));
        CHECK_THAT(
            error_of(hook("        time_zone: Asia/Tokio\n")),
            Catch::StartsWith("routes.yaml:6: sinks.a.hooks.carry_over.time_zone: unknown time "
                              "zone \"Asia/Tokio\""));
        CHECK_THAT(error_of("time_zone: Mars/Base\n" + s + "route:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:1: time_zone: unknown time zone \"Mars/Base\""));
        CHECK_THAT(
            error_of(hook("        enabled: 1\n")),
            Catch::StartsWith("routes.yaml:6: sinks.a.hooks.carry_over.enabled: expected true"));
    }
    SECTION("YAML syntax errors and unset variables") {
        CHECK_THAT(error_of(s + "route:\n  sink: [a\n"),
                   Catch::StartsWith("routes.yaml:8: YAML syntax error"));
        CHECK_THAT(error_of("sinks:\n  a:\n    plugin: x\n   bad: indent\nroute:\n  sink: a\n"),
                   Catch::StartsWith("routes.yaml:4: YAML syntax error"));
        CHECK_THAT(
            error_of("state_dir: ${NOT_SET_ANYWHERE}\n" + s + "route:\n  sink: a\n"),
            Catch::StartsWith("routes.yaml:1: state_dir: environment variable NOT_SET_ANYWHERE "
                              "is not set"));
        CHECK_THAT(
            error_of("sinks:\n  a:\n    plugin: x\n    config:\n      token: ${NOT_SET}\n"
                     "route:\n  sink: a\n"),
            Catch::StartsWith("routes.yaml:5: sinks.a.config.token: environment variable NOT_SET"));
        CHECK_THAT(error_of(std::string(s) + "route:\n  sink: a\n---\nroute: {}\n"),
                   Catch::Contains("several YAML documents"));
    }
}

TEST_CASE("issue 11: the routing file's matcher 'severity == critical' is refused with its line",
          "[loader]") {
    const std::string s = "sinks:\n  a:\n    plugin: x\nroute:\n  sink: a\n  routes:\n";
    // main accepted it as severity="= critical", which matches no alert.
    CHECK_THAT(error_of(s + "    - matchers: ['severity == critical']\n      sink: a\n"),
               Catch::StartsWith("routes.yaml:7:29: route.routes[0].matchers[0]: invalid matcher "
                                 "'severity == critical' at column 11: an unquoted value cannot "
                                 "start with '='"));
    // Plain, double-quoted and block forms: the column where the file shows the value as it reads.
    CHECK_THAT(error_of(s + "    - matchers:\n        - severity == critical\n"),
               Catch::StartsWith("routes.yaml:8:21: route.routes[0].matchers[0]"));
    CHECK_THAT(error_of(s + "    - matchers: [\"severity == critical\"]\n"),
               Catch::StartsWith("routes.yaml:7:29: route.routes[0].matchers[0]"));
    CHECK_THAT(
        error_of(s + "    - matchers: [\"sev\\u0065rity == critical\"]\n"),
        Catch::StartsWith("routes.yaml:7: route.routes[0].matchers[0]"));  // escaped: no column
    CHECK_THAT(error_of(s + "    - matchers: ['team=db', 'job=~\"node\", severity==x']\n"),
               Catch::StartsWith("routes.yaml:7:52: route.routes[0].matchers[1]"));
}

TEST_CASE("loader: a matchers item may hold several matchers, as in Alertmanager", "[loader]") {
    const auto cfg = load_routing_text(
        "sinks:\n  a:\n    plugin: x\n  b:\n    plugin: x\nroute:\n  sink: a\n  routes:\n"
        "    - matchers: ['{severity=\"critical\", team=~\"db|infra\"}', 'env!=dev']\n"
        "      sink: b\n",
        "routes.yaml", Environment());
    REQUIRE(cfg.root.routes.size() == 1);
    const auto& m = cfg.root.routes[0].matchers;
    REQUIRE(m.size() == 3);
    CHECK(m[0].to_string() == "severity=\"critical\"");
    CHECK(m[1].to_string() == "team=~\"db|infra\"");
    CHECK(m[2].to_string() == "env!=\"dev\"");
    auto sink_of = [&](Labels l) { return match_routes(cfg.root, l).front()->sink; };
    CHECK(sink_of({{"severity", "critical"}, {"team", "db"}, {"env", "prod"}}) == "b");
    CHECK(sink_of({{"severity", "critical"}, {"team", "db"}, {"env", "dev"}}) == "a");
    CHECK(sink_of({{"severity", "warning"}, {"team", "db"}}) == "a");
}

TEST_CASE("loader: a sink's concurrency, 4 by default, 1 to 64", "[loader]") {
    const auto cfg = load_routing_text(
        "sinks:\n  a:\n    plugin: x\n    concurrency: 8\n  b:\n    plugin: x\n"
        "route:\n  sink: a\n",
        "routes.yaml", test_env());
    CHECK(cfg.find_sink("a")->concurrency == 8);
    CHECK(cfg.find_sink("b")->concurrency == 4);
    CHECK_THAT(
        error_of("sinks:\n  a:\n    plugin: x\n    concurrency: 0\nroute:\n  sink: a\n"),
        Catch::StartsWith("routes.yaml:4: sinks.a.concurrency: 0 is out of range (1 to 64)"));
    CHECK_THAT(error_of("sinks:\n  a:\n    plugin: x\n    concurrency: many\nroute:\n  sink: a\n"),
               Catch::StartsWith("routes.yaml:4: sinks.a.concurrency: expected an integer"));
}
