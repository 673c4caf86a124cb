// The host and plugins it must refuse (wrong ABI major, a table too small, no entry symbol) or
// survive (deliver throws, returns a status outside the enum, leaves its error unterminated).
#include "test_support.hpp"

#include <tickets_grouping/sink_abi.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>

using namespace tg::test;

namespace {

// This SDK's version as the host prints it, e.g. "1.1".
std::string abi_version() {
    return std::to_string(TG_SINK_ABI_MAJOR) + "." + std::to_string(TG_SINK_ABI_MINOR);
}

std::string test_plugin(const std::string& name) {
    return std::string(TG_SDK_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

std::string routes_with_plugin(const std::string& plugin) {
    return "sinks:\n  odd:\n    plugin: " + plugin + "\nroute:\n  sink: odd\n";
}

// Runs --check-config on a routing file that loads `plugin`; returns the exit status.
int check_config(const TempDir& dir, const std::string& plugin, std::string& output) {
    write_file(dir / "routes.yaml", routes_with_plugin(plugin));
    return run_command({host_binary(), "--config", dir / "routes.yaml", "--state-dir",
                        dir / "state", "--check-config"},
                       output);
}

std::string deliveries(const std::string& sink, const std::string& result) {
    return "tickets_grouping_deliveries_total{sink=\"" + sink + "\",result=\"" + result + "\"}";
}

}  // namespace

TEST_CASE("a plugin built for another ABI major is refused, naming both versions and the file") {
    TempDir dir;
    const std::string plugin = test_plugin("abi_major2_sink");
    std::string output;
    CHECK(check_config(dir, plugin, output) != 0);
    INFO(output);
    CHECK(output.find("plugin " + plugin + " was built for sink ABI 2.3") != std::string::npos);
    CHECK(output.find("this host speaks sink ABI " + std::to_string(TG_SINK_ABI_MAJOR) + "." +
                      std::to_string(TG_SINK_ABI_MINOR)) != std::string::npos);
    CHECK(output.find("rebuild it against this host's SDK") != std::string::npos);

    // Serving: the host does not start, and says why in its log.
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    CHECK_FALSE(host.wait_ready(std::chrono::seconds(10)));
    CHECK_FALSE(host.running());
    const std::string log = host.log();
    INFO(log);
    CHECK(log.find(plugin + " was built for sink ABI 2.3, this host speaks sink ABI " +
                   abi_version()) != std::string::npos);
}

TEST_CASE("a plugin whose table is smaller than sink ABI 1.0's is refused with the sizes") {
    TempDir dir;
    const std::string plugin = test_plugin("abi_short_table_sink");
    std::string output;
    CHECK(check_config(dir, plugin, output) != 0);
    INFO(output);
    const std::string expected = "plugin " + plugin + " (sink ABI " + abi_version() + ") has a " +
                                 std::to_string(offsetof(tg_sink_plugin, hook_count)) +
                                 "-byte table, sink ABI " + abi_version() + " needs at least " +
                                 std::to_string(offsetof(tg_sink_plugin, check) + sizeof(void*));
    CHECK(output.find(expected) != std::string::npos);

    // Too small even to hold the version fields.
    const std::string tiny = test_plugin("abi_tiny_table_sink");
    CHECK(check_config(dir, tiny, output) != 0);
    INFO(output);
    CHECK(output.find("plugin " + tiny) != std::string::npos);
    CHECK(output.find("too small to be a sink plugin (8-byte table, sink ABI " + abi_version() +
                      " needs at least " +
                      std::to_string(offsetof(tg_sink_plugin, check) + sizeof(void*)) + ")") !=
          std::string::npos);
}

TEST_CASE("a shared object without tg_sink_entry is refused") {
    TempDir dir;
    const std::string plugin = test_plugin("no_entry_sink");
    std::string output;
    CHECK(check_config(dir, plugin, output) != 0);
    INFO(output);
    CHECK(output.find("plugin " + plugin + " does not export tg_sink_entry") != std::string::npos);

    // Not a shared object at all, and a file that is not there.
    write_file(dir / "fake.so", "not an ELF file\n");
    CHECK(check_config(dir, dir / "fake.so", output) != 0);
    CHECK(output.find("plugin " + (dir / "fake.so") + " is not a shared library") !=
          std::string::npos);
    CHECK(check_config(dir, dir / "missing.so", output) != 0);
    CHECK(output.find(dir / "missing.so") != std::string::npos);
}

TEST_CASE("misbehaving sinks are retried while the host keeps serving and other sinks get alerts") {
    TempDir dir;
    const std::string retry = "    retry:\n      initial_backoff: 50ms\n      max_backoff: 200ms\n";
    auto sink = [&](const std::string& name, const std::string& plugin, const std::string& mode) {
        return "  " + name + ":\n    plugin: " + test_plugin(plugin) +
               "\n    config:\n      mode: " + mode + "\n" + retry;
    };
    auto fan_out = [](const std::string& name) {
        return "    - sink: " + name + "\n      continue: true\n";
    };
    const std::vector<std::string> bad{"logic_error", "retry_later", "non_std", "bad_status",
                                       "unterminated"};
    std::string routes = "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
                         (dir / "alerts.jsonl") + "\n";
    routes += sink("logic_error", "misbehaving_sink", "logic_error");
    routes += sink("retry_later", "misbehaving_sink", "retry_later");
    routes += sink("non_std", "misbehaving_sink", "non_std");
    routes += sink("bad_status", "bad_status_sink", "bad_status");
    routes += sink("unterminated", "bad_status_sink", "unterminated");
    routes += "route:\n  sink: logs\n  routes:\n";
    for (const auto& name : bad) routes += fan_out(name);
    routes += "    - sink: logs\n";
    write_file(dir / "routes.yaml", routes);

    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    INFO(host.log());

    CHECK(http_post(host.port(), "/webhook",
                    fixture("b_firing_group_3_alerts_HighCPU_server01-03.json"))
              .status == 200);
    CHECK(eventually([&] { return read_lines(dir / "alerts.jsonl").size() == 3; }));

    // Every misbehaving sink is attempted again and again (retry, never drop), with its reason
    // logged.
    CHECK(eventually([&] {
        const std::string page = http_get(host.port(), "/metrics").body;
        for (const auto& name : bad)
            if (metric_value(page, deliveries(name, "retry")) < 3) return false;
        return true;
    }));
    const std::string page = http_get(host.port(), "/metrics").body;
    INFO(page);
    for (const auto& name : bad) {
        CHECK(metric_value(page, deliveries(name, "ok")) == -1);
        CHECK(metric_value(page, deliveries(name, "drop")) == -1);
        CHECK(metric_value(page, "tickets_grouping_dead_letters_total{sink=\"" + name + "\"}") ==
              -1);
    }
    CHECK(metric_value(page, deliveries("logs", "ok")) == 1);

    const std::string log = host.log();
    CHECK(log.find("misbehaving_sink: logic_error on attempt 2") != std::string::npos);
    CHECK(log.find("misbehaving_sink: Redmine answered 503") != std::string::npos);
    CHECK(log.find("unknown exception in sink") != std::string::npos);
    CHECK(log.find("the sink returned an unknown status 7") != std::string::npos);
    CHECK(log.find(std::string(4095, 'x')) != std::string::npos);  // cut to the host's buffer
    CHECK(log.find(std::string(4096, 'x')) == std::string::npos);

    // Still serving: more webhooks are accepted and reach log_sink.
    CHECK(http_get(host.port(), "/healthz").status == 200);
    CHECK(http_post(host.port(), "/webhook", fixture("a_firing_single_alert_HighCPU_server01.json"))
              .status == 200);
    CHECK(eventually([&] { return read_lines(dir / "alerts.jsonl").size() == 4; }));
    CHECK(http_get(host.port(), "/healthz").status == 200);
    CHECK(host.terminate() == 0);
}
