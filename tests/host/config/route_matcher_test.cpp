#include <catch2/catch.hpp>

#include "config/route_matcher.hpp"

using namespace tg::host;

namespace {

Route node(std::string sink, std::vector<std::string> matchers, bool cont = false,
           std::vector<Route> children = {}) {
    Route r;
    r.sink = std::move(sink);
    for (const auto& m : matchers) r.matchers.push_back(Matcher::parse(m));
    r.continue_matching = cont;
    r.routes = std::move(children);
    return r;
}

std::vector<std::string> sinks_of(const std::vector<const Route*>& routes) {
    std::vector<std::string> out;
    for (const Route* r : routes) out.push_back(r->sink);
    return out;
}

}  // namespace

TEST_CASE("routing: root catches everything", "[routes]") {
    Route root = node("default", {});
    auto got = match_routes(root, {{"alertname", "X"}});
    REQUIRE(got.size() == 1);
    CHECK(got[0] == &root);
}

TEST_CASE("routing: first matching child wins", "[routes]") {
    Route root = node("default", {}, false,
                      {node("a", {"severity=critical"}), node("b", {"severity=~\"crit.*\""}),
                       node("c", {"team=db"})});
    CHECK(sinks_of(match_routes(root, {{"severity", "critical"}, {"team", "db"}})) ==
          std::vector<std::string>{"a"});
    CHECK(sinks_of(match_routes(root, {{"severity", "critically"}, {"team", "db"}})) ==
          std::vector<std::string>{"b"});
    CHECK(sinks_of(match_routes(root, {{"team", "db"}})) == std::vector<std::string>{"c"});
    CHECK(sinks_of(match_routes(root, {{"team", "web"}})) == std::vector<std::string>{"default"});
}

TEST_CASE("routing: continue goes on with the next siblings", "[routes]") {
    Route root = node("default", {}, false,
                      {node("audit", {"severity=critical"}, true), node("db", {"team=db"}),
                       node("never", {"team=db"})});
    CHECK(sinks_of(match_routes(root, {{"severity", "critical"}, {"team", "db"}})) ==
          std::vector<std::string>{"audit", "db"});
    // Only the continue route matched: it is the result, the parent is not added.
    CHECK(sinks_of(match_routes(root, {{"severity", "critical"}})) ==
          std::vector<std::string>{"audit"});
    CHECK(sinks_of(match_routes(root, {{"team", "db"}})) == std::vector<std::string>{"db"});
}

TEST_CASE("routing: nested routes and falling back to the parent", "[routes]") {
    // Sinks are resolved (inherited) by the loader; here "team-db" is what a child inherits.
    Route root = node("default", {}, false,
                      {node("team-db", {"team=db"}, false,
                            {node("db-pager", {"severity=critical"}),
                             node("team-db", {"alertname=~\"Backup.*\""})})});
    auto got = match_routes(root, {{"team", "db"}, {"severity", "critical"}});
    REQUIRE(got.size() == 1);
    CHECK(got[0] == &root.routes[0].routes[0]);
    got = match_routes(root, {{"team", "db"}, {"alertname", "BackupFailed"}});
    REQUIRE(got.size() == 1);
    CHECK(got[0] == &root.routes[0].routes[1]);
    got = match_routes(root, {{"team", "db"}, {"severity", "warning"}});
    REQUIRE(got.size() == 1);
    CHECK(got[0] == &root.routes[0]);  // no child matched: the parent itself
    got = match_routes(root, {{"team", "web"}});
    REQUIRE(got.size() == 1);
    CHECK(got[0] == &root);
}

TEST_CASE("routing: continue inside a subtree", "[routes]") {
    Route root =
        node("default", {}, false,
             {node("x", {"team=db"}, true,
                   {node("x1", {"severity=critical"}, true), node("x2", {"severity=critical"})}),
              node("y", {"severity=critical"})});
    CHECK(sinks_of(match_routes(root, {{"team", "db"}, {"severity", "critical"}})) ==
          std::vector<std::string>{"x1", "x2", "y"});
    CHECK(sinks_of(match_routes(root, {{"team", "db"}})) == std::vector<std::string>{"x"});
}
