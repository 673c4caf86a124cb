// Issue 16's task, done with the installed SDK alone: alert_files (sdk/examples/alert_files), one
// line per alert into <dir>/<alertname>.log, a `dir` setting, dry runs, a retry after a write
// error and a `rotate` hook, in at most 50 lines. Built from the installed copy with g++ and with
// clang++, loaded by a routing file into the real host, fed the operators' curl payload and a real
// Alertmanager body.
#include "out_of_tree.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

using namespace tg::test;
using namespace tg::test::sdk;
namespace fs = std::filesystem;

namespace {

const std::string curl_payload =
    R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"},)"
    R"("annotations":{"description":"test: server01"}}]})";

// Lines that are neither blank nor only a comment.
size_t code_lines(const std::string& path) {
    std::ifstream in(path);
    size_t count = 0;
    for (std::string line; std::getline(in, line);) {
        const auto first = line.find_first_not_of(" \t");
        if (first != std::string::npos && line.compare(first, 2, "//") != 0) ++count;
    }
    return count;
}

// The whole lines of a file, none while it does not exist.
std::vector<std::string> lines_of(const std::string& path) {
    return fs::exists(path) ? read_lines(path) : std::vector<std::string>{};
}

std::vector<nlohmann::json> json_lines(const std::string& path) {
    std::vector<nlohmann::json> out;
    for (const auto& line : lines_of(path)) out.push_back(nlohmann::json::parse(line));
    return out;
}

std::string routes(const std::string& plugin, const std::string& dir) {
    return "sinks:\n  files:\n    plugin: " + plugin + "\n    config:\n      dir: " + dir +
           "\n    retry:\n      initial_backoff: 100ms\n      max_backoff: 200ms\n"
           "route:\n  sink: files\n";
}

// The host with the plugin, from --check-config to the rotate hook.
void exercise_in_host(const std::string& plugin) {
    TempDir dir;
    const std::string out = dir / "alerts";
    fs::create_directories(out);
    write_file(dir / "routes.yaml", routes(plugin, out));
    const std::vector<std::string> base{host_binary(), "--config", dir / "routes.yaml",
                                        "--state-dir", dir / "state"};
    auto with = [&](const std::vector<std::string>& extra) {
        auto argv = base;
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run_ok(argv);
    };
    CHECK(with({"--check-config"}).find("sink files: ok") != std::string::npos);

    {
        HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                         dir / "host.log");
        REQUIRE(host.wait_ready());
        INFO(host.log());
        CHECK(http_post(host.port(), "/webhook", curl_payload).body == R"({"status":"ok"})");
        REQUIRE(eventually([&] { return lines_of(out + "/test.log").size() == 1; }));
        const auto test = json_lines(out + "/test.log")[0];
        CHECK(test["labels"] == nlohmann::json{{"alertname", "test"}, {"instance", "server01"}});
        CHECK(test["annotations"]["description"] == "test: server01");
        CHECK(test["status"] == "firing");                           // filled in by the host
        CHECK(test["fingerprint"].get<std::string>().size() == 16);  // computed by the host
        CHECK(test["startsAt"] == "0001-01-01T00:00:00Z");           // none given

        // HighCPU.log cannot be written (ENOSPC): the host retries until it can.
        fs::create_symlink("/dev/full", out + "/HighCPU.log");
        const std::string body = fixture("b_firing_group_3_alerts_HighCPU_server01-03.json");
        CHECK(http_post(host.port(), "/webhook", body).status == 200);
        REQUIRE(eventually([&] {
            return metric_value(http_get(host.port(), "/metrics").body,
                                "tickets_grouping_retries_total{sink=\"files\"}") >= 2;
        }));
        CHECK(host.log().find("alert_files: cannot write " + out + "/HighCPU.log") !=
              std::string::npos);
        fs::remove(out + "/HighCPU.log");
        REQUIRE(eventually([&] { return lines_of(out + "/HighCPU.log").size() == 3; }));
        std::set<std::string> instances;
        for (const auto& line : json_lines(out + "/HighCPU.log")) {
            instances.insert(line["labels"]["instance"].get<std::string>());
            CHECK(line["annotations"]["description"].get<std::string>().find("CPU使用率が高い") ==
                  0);
            CHECK(line["startsAt"].get<std::string>().find("2026-11-27T07:51:") == 0);
            CHECK(line["endsAt"] == "0001-01-01T00:00:00Z");
        }
        CHECK(instances == std::set<std::string>{"server01", "server02", "server03"});
        CHECK(lines_of(out + "/test.log").size() == 1);  // the other file is untouched
        CHECK(host.terminate() == 0);
        CHECK(host.log().find("plugin_version=1.0.0") != std::string::npos);  // its VERSION
    }

    // A dry run of a delivery and of the hook changes nothing; the real hook rotates both files.
    const std::string resolved = dir / "resolved.json";
    write_file(resolved, fixture("d2_all_resolved_HighCPU.json"));
    CHECK(with({"--replay", resolved, "--dry-run"})
              .find("dry run: would append to " + out + "/HighCPU.log") != std::string::npos);
    CHECK(with({"--run-hook", "files:rotate", "--dry-run"})
              .find("dry run: would rotate " + out + "/HighCPU.log") != std::string::npos);
    CHECK(lines_of(out + "/HighCPU.log").size() == 3);
    with({"--run-hook", "files:rotate"});
    CHECK_FALSE(fs::exists(out + "/test.log"));
    CHECK_FALSE(fs::exists(out + "/HighCPU.log"));
    CHECK(lines_of(out + "/test.log.1").size() == 1);
    CHECK(lines_of(out + "/HighCPU.log.1").size() == 3);
    with({"--replay", resolved});
    REQUIRE(lines_of(out + "/HighCPU.log").size() == 3);  // a fresh file after the rotation
    for (const auto& line : json_lines(out + "/HighCPU.log")) CHECK(line["status"] == "resolved");

    // A bad `dir` stops the host at start with the sink's message.
    write_file(dir / "bad.yaml", routes(plugin, dir / "missing"));
    std::string output;
    CHECK(run_command({host_binary(), "--config", dir / "bad.yaml", "--state-dir", dir / "state",
                       "--check-config"},
                      output) != 0);
    CHECK(output.find("alert_files: config key 'dir' is not a directory: " + dir / "missing") !=
          std::string::npos);
}

void build_and_run(const std::string& compiler, const std::string& expected) {
    TempDir dir;
    const std::string prefix = dir / "sdk";
    install_sdk(prefix);
    const std::string source = dir / "alert_files";
    const std::string output =
        build_installed_example(prefix, "alert_files", source, dir / "build", compiler);
    CHECK(output.find("warning") == std::string::npos);
    INFO("alert_files.cpp: " << code_lines(source + "/alert_files.cpp") << " code lines");
    CHECK(code_lines(source + "/alert_files.cpp") <= 50);
    const std::string plugin = dir / "build/alert_files.so";
    REQUIRE(fs::exists(plugin));
    CHECK(compiler_of(plugin) == expected);
    exercise_in_host(plugin);
}

}  // namespace

TEST_CASE("alert_files, built from the installed SDK with g++, in the host") {
    build_and_run("g++", "GCC");
}

TEST_CASE("alert_files, built from the installed SDK with clang++, in the host") {
    build_and_run("clang++", "clang");
}
