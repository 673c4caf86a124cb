// The SDK as a sink author uses it: installed from this build tree, found with
// find_package(TicketsGroupingSdk 1), an example sink (sdk/examples/hello_sink) built out of tree
// with g++ and with clang++, its unit test run against the SDK's fake host, then the sink loaded
// by the real host from its path in a routing file. The g++ run uses exactly the commands of
// sdk/README.md.
#include "out_of_tree.hpp"

#include <tickets_grouping/sink_abi.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <filesystem>

using namespace tg::test;
using namespace tg::test::sdk;
namespace fs = std::filesystem;

namespace {

const std::string example_source = std::string(TG_TEST_SDK_SOURCE_DIR) + "/examples/hello_sink";

Poco::JSON::Object::Ptr parse(const std::string& line) {
    return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
}

// The example asks for nothing but the SDK package (and Catch2 for its test), and its build saw
// neither Boost nor Poco.
void check_sdk_only(const std::string& build_dir, const std::string& prefix) {
    const std::string lists = read_file(example_source + "/CMakeLists.txt");
    CHECK(lists.find("find_package(TicketsGroupingSdk 1 REQUIRED)") != std::string::npos);
    const auto first = lists.find("find_package(");
    const auto second = lists.find("find_package(", first + 1);
    CHECK(lists.compare(second, 22, "find_package(Catch2 2 ") == 0);  // for the unit test
    CHECK(lists.find("find_package(", second + 1) == std::string::npos);
    CHECK(lower(lists).find("boost") == std::string::npos);
    CHECK(lower(lists).find("poco") == std::string::npos);
    CHECK(lower(read_file(example_source + "/hello_sink.cpp")).find("#include <poco") ==
          std::string::npos);
    CHECK(lower(read_file(example_source + "/hello_sink.cpp")).find("#include <boost") ==
          std::string::npos);

    const std::string cache = lower(read_file(build_dir + "/CMakeCache.txt"));
    CHECK(cache.find("boost") == std::string::npos);
    CHECK(cache.find("poco") == std::string::npos);
    CHECK(cache.find("ticketsgroupingsdk_dir:path=" + lower(prefix)) != std::string::npos);

    // The headers came from the installed prefix, not from this source tree.
    std::string flags;
    for (const auto& entry : fs::recursive_directory_iterator(build_dir))
        if (entry.path().filename() == "flags.make" || entry.path().filename() == "build.ninja")
            flags += read_file(entry.path().string());
    CHECK(flags.find(prefix + "/include") != std::string::npos);
    CHECK(flags.find(std::string(TG_TEST_SDK_SOURCE_DIR) + "/include") == std::string::npos);

    // And the module links to no Boost or Poco library.
    const std::string needed = lower(run_ok({"readelf", "-d", build_dir + "/hello_sink.so"}));
    CHECK(needed.find("(needed)") != std::string::npos);
    CHECK(needed.find("boost") == std::string::npos);
    CHECK(needed.find("poco") == std::string::npos);
    const std::string symbols =
        run_ok({"nm", "-D", "--defined-only", build_dir + "/hello_sink.so"});
    CHECK(symbols.find(" T tg_sink_entry") != std::string::npos);
}

// The example's unit test (hello_sink_test.cpp, against the fake host of
// tickets_grouping/testing.hpp) was built beside the plugin, and passes.
void check_unit_test(const std::string& build_dir) {
    REQUIRE(fs::exists(build_dir + "/hello_sink_test"));
    const std::string output = run_ok({"ctest", "--test-dir", build_dir, "--output-on-failure"});
    CHECK(output.find("100% tests passed") != std::string::npos);
}

// Loads the built example in the real host from its absolute path and checks what it writes.
void exercise_in_host(const std::string& plugin) {
    TempDir dir;
    const std::string out = dir / "hello.jsonl";
    write_file(dir / "routes.yaml", "sinks:\n  hello:\n    plugin: " + plugin +
                                        "\n    config:\n      path: " + out +
                                        "\nroute:\n  sink: hello\n");
    const std::vector<std::string> base{host_binary(), "--config", dir / "routes.yaml",
                                        "--state-dir", dir / "state"};
    auto with = [&](std::vector<std::string> extra) {
        auto argv = base;
        argv.insert(argv.end(), extra.begin(), extra.end());
        return argv;
    };
    CHECK(run_ok(with({"--check-config"})).find("sink hello: ok") != std::string::npos);

    {
        HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                         dir / "host.log");
        REQUIRE(host.wait_ready());
        INFO(host.log());
        const std::string body = fixture("b_firing_group_3_alerts_HighCPU_server01-03.json");
        CHECK(http_post(host.port(), "/webhook", body).status == 200);
        REQUIRE(eventually([&] { return read_lines(out).size() == 1; }));

        auto line = parse(read_lines(out)[0]);
        const std::string key = line->getValue<std::string>("idempotency_key");
        CHECK(key.size() == 64);
        CHECK(key.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(line->getValue<std::string>("route") == "route");
        auto notification = line->getObject("notification");
        REQUIRE(notification);
        auto alerts = notification->getArray("alerts");
        REQUIRE(alerts);
        CHECK(alerts->size() == 3);
        CHECK(alerts->getObject(0)->getObject("labels")->getValue<std::string>("alertname") ==
              "HighCPU");
        CHECK(alerts->getObject(0)
                  ->getObject("annotations")
                  ->getValue<std::string>("description")
                  .find("CPU使用率が高い") == 0);

        // The same body again: same key, and the sink does not write it twice.
        CHECK(http_post(host.port(), "/webhook", body).status == 200);
        CHECK(http_post(host.port(), "/webhook",
                        fixture("a_firing_single_alert_HighCPU_server01.json"))
                  .status == 200);
        REQUIRE(eventually([&] { return read_lines(out).size() == 2; }));
        CHECK(eventually([&] {
            return http_get(host.port(), "/metrics")
                       .body.find("tickets_grouping_spool_depth 0\n") != std::string::npos;
        }));
        const auto lines = read_lines(out);
        CHECK(lines.size() == 2);
        CHECK(parse(lines[1])->getValue<std::string>("idempotency_key") != key);
        CHECK(host.terminate() == 0);
        CHECK(host.log().find("plugin_version=1.0.0") != std::string::npos);
    }

    // Its hook, run by hand: a dry run changes nothing, a real run appends a heartbeat.
    CHECK(run_ok(with({"--run-hook", "hello:heartbeat", "--dry-run"}))
              .find("would append a heartbeat") != std::string::npos);
    CHECK(read_lines(out).size() == 2);
    run_ok(with({"--run-hook", "hello:heartbeat"}));
    REQUIRE(read_lines(out).size() == 3);
    auto heartbeat = parse(read_lines(out)[2]);
    CHECK(heartbeat->getValue<std::string>("hook") == "heartbeat");
    CHECK(heartbeat->getValue<int64_t>("scheduled_unix_ms") > 1700000000000);

    // A bad config is refused at start with the sink's own message.
    auto refused = [&](const std::string& config) {
        write_file(dir / "bad.yaml", "sinks:\n  hello:\n    plugin: " + plugin + "\n    config:\n" +
                                         config + "route:\n  sink: hello\n");
        std::string output;
        CHECK(run_command({host_binary(), "--config", dir / "bad.yaml", "--state-dir",
                           dir / "state", "--check-config"},
                          output) != 0);
        return output;
    };
    CHECK(refused("      file: x\n").find("hello_sink: config key 'path' is required (a string)") !=
          std::string::npos);
    CHECK(refused("      path: " + out + "\n      file: x\n")
              .find("hello_sink: unknown config key 'file' (known: path)") != std::string::npos);
}

}  // namespace

TEST_CASE("the installed SDK builds hello_sink out of tree with g++ (the README's commands)") {
    TempDir dir;
    const std::string prefix = dir / "tg-sdk";
    const std::string build = dir / "hello";
    // sdk/README.md: cmake --install build --prefix /tmp/tg-sdk
    run_ok({cmake, "--install", TG_TEST_BUILD_DIR, "--prefix", prefix});
    CHECK(fs::exists(prefix + "/include/tickets_grouping/sink_abi.h"));
    CHECK(fs::exists(prefix + "/include/tickets_grouping/sink.hpp"));
    // cmake -S sdk/examples/hello_sink -B /tmp/hello -DCMAKE_PREFIX_PATH=/tmp/tg-sdk
    run_ok({cmake, "-S", example_source, "-B", build, "-DCMAKE_PREFIX_PATH=" + prefix});
    // cmake --build /tmp/hello
    const std::string output = run_ok({cmake, "--build", build});
    CHECK(output.find("warning") == std::string::npos);
    REQUIRE(fs::exists(build + "/hello_sink.so"));
    CHECK(compiler_of(build + "/hello_sink.so") == "GCC");
    check_sdk_only(build, prefix);
    // ctest --test-dir /tmp/hello
    check_unit_test(build);
    exercise_in_host(build + "/hello_sink.so");
}

TEST_CASE("the SDK component alone builds its installed hello_sink copy with clang++ -Werror") {
    TempDir dir;
    const std::string prefix = dir / "sdk-only";
    const std::string build = dir / "build-clang";
    // cmake --install build --prefix /tmp/tg-sdk --component sdk
    install_sdk(prefix);
    // Only the SDK: headers, the CMake package, the guide and the examples; no host, no plugins.
    CHECK_FALSE(fs::exists(prefix + "/bin"));
    std::vector<std::string> installed;
    for (const auto& entry : fs::recursive_directory_iterator(prefix))
        if (entry.is_regular_file())
            installed.push_back(fs::relative(entry.path(), prefix).string());
    std::sort(installed.begin(), installed.end());
    const std::string docs = doc_dir.substr(1);
    std::vector<std::string> expected{"include/tickets_grouping/config.hpp",
                                      "include/tickets_grouping/duration.hpp",
                                      "include/tickets_grouping/notification.hpp",
                                      "include/tickets_grouping/sink.hpp",
                                      "include/tickets_grouping/sink_abi.h",
                                      "include/tickets_grouping/testing.hpp",
                                      docs + "/README.ja.md",
                                      docs + "/README.md",
                                      docs + "/examples/alert_files/CMakeLists.txt",
                                      docs + "/examples/alert_files/alert_files.cpp",
                                      docs + "/examples/hello_sink/CMakeLists.txt",
                                      docs + "/examples/hello_sink/hello_sink.cpp",
                                      docs + "/examples/hello_sink/hello_sink_test.cpp"};
    // The CMake package, in the platform's library directory (lib/ here, lib/<multiarch> under
    // /usr).
    for (const auto& path : installed)
        if (path.find("/cmake/TicketsGroupingSdk/") != std::string::npos) expected.push_back(path);
    std::sort(expected.begin(), expected.end());
    CHECK(installed == expected);
    CHECK(expected.size() == 13 + 4);
    CHECK(read_file(prefix + doc_dir + "/README.md") ==
          read_file(std::string(TG_TEST_SDK_SOURCE_DIR) + "/README.md"));

    // cp -r /tmp/tg-sdk/share/doc/tickets-grouping-sdk/examples/hello_sink /tmp/hello-src, then
    // configure with clang++ and build it there, away from this repository.
    const std::string output =
        build_installed_example(prefix, "hello_sink", dir / "hello_sink", build, "clang++");
    CHECK(output.find("warning") == std::string::npos);
    REQUIRE(fs::exists(build + "/hello_sink.so"));
    CHECK(compiler_of(build + "/hello_sink.so") == "clang");
    check_sdk_only(build, prefix);
    check_unit_test(build);

    // The package's version check: ABI major 1 is found, a major 2 request is refused.
    const std::string probe = dir / "probe";
    fs::create_directories(probe);
    write_file(probe + "/CMakeLists.txt",
               "cmake_minimum_required(VERSION 3.16)\nproject(probe LANGUAGES NONE)\n"
               "find_package(TicketsGroupingSdk 2 REQUIRED)\n");
    std::string refused;
    CHECK(run_command({cmake, "-S", probe, "-B", probe + "/build", "-DCMAKE_PREFIX_PATH=" + prefix},
                      refused) != 0);
    CHECK(refused.find("TicketsGroupingSdk") != std::string::npos);
    CHECK(refused.find(std::to_string(TG_SINK_ABI_MAJOR) + "." +
                       std::to_string(TG_SINK_ABI_MINOR)) != std::string::npos);

    exercise_in_host(build + "/hello_sink.so");
}
