// Issue 11 (low), one state directory, several live instances: a reload hands a sink's state
// directory over, never sharing it. The sink here (fault_sink with "lock": "state_dir") holds an
// exclusive lock on its state directory for its whole life and refuses to be created while
// another instance holds it, so a reload that created the new instance beside the old one would
// be refused, and one that kept both would deliver to the old one.
#include "fault_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace tg;
using namespace tg::faults;

namespace {

std::string routes(const std::string& mode, const std::string& calls) {
    return "sinks:\n  locked:\n    plugin: " + std::string(TG_FAULT_SINK_PATH) +
           "\n    config:\n      mode: " + mode + "\n      lock: state_dir\n      calls: " + calls +
           "\nroute:\n  sink: locked\n";
}

// The lines of the sink's calls file, 0 before its first call.
size_t calls_in(const std::string& path) {
    std::ifstream in(path);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

std::string alert(const std::string& instance) {
    return R"({"alerts":[{"labels":{"alertname":"handover","instance":")" + instance + R"("}}]})";
}

}  // namespace

TEST_CASE(
    "issue 11: a reload hands a changed sink's state directory over (old instance destroyed "
    "first), keeps an unchanged one, and a refused hand-over leaves the old one delivering",
    "[concurrency]") {
    test::TempDir dir;
    const std::string first = dir / "first.log", second = dir / "second.log";
    test::write_file(dir / "routes.yaml", routes("ok", first));
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log");
    REQUIRE(host.wait_ready());
    REQUIRE(test::http_post(host.port(), "/webhook", alert("h1")).status == 200);
    CHECK(test::eventually([&] { return calls_in(first) == 1; }));

    // Unchanged: the running instance stays (a second one could not take the lock).
    const auto unchanged = test::http_post(host.port(), "/-/reload", "");
    INFO(unchanged.body);
    CHECK(unchanged.status == 200);
    REQUIRE(test::http_post(host.port(), "/webhook", alert("h2")).status == 200);
    CHECK(test::eventually([&] { return calls_in(first) == 2; }));

    // Changed: the old instance is destroyed before the new one opens the state directory, and
    // the deliveries go to the new one only.
    test::write_file(dir / "routes.yaml", routes("ok", second));
    const auto changed = test::http_post(host.port(), "/-/reload", "");
    INFO(changed.body);
    CHECK(changed.status == 200);
    REQUIRE(test::http_post(host.port(), "/webhook", alert("h3")).status == 200);
    CHECK(test::eventually([&] { return calls_in(second) == 1; }));
    CHECK(calls_in(first) == 2);

    // A configuration the sink refuses: the reload is refused and the running one delivers.
    test::write_file(dir / "routes.yaml", routes("no_such_mode", first));
    const auto refused = test::http_post(host.port(), "/-/reload", "");
    CHECK(refused.status == 400);
    CHECK(refused.body.find("unknown mode 'no_such_mode'") != std::string::npos);
    REQUIRE(test::http_post(host.port(), "/webhook", alert("h4")).status == 200);
    CHECK(test::eventually([&] { return calls_in(second) == 2; }));
    CHECK(calls_in(first) == 2);
    CHECK(host.terminate() == 0);
}
