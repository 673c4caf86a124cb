// Issue 14, section 5: errors an operator can act on, from the real binary. Each error names the
// program first, then where it is (file:line: key) when there is a place, then why in the
// system's own words.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <regex>
#include <set>

using namespace tg::test;

namespace {

std::string log_sink_routes(const TempDir& dir, const std::string& plugin) {
    return "sinks:\n  logs:\n    plugin: " + plugin +
           "\n    config:\n      path: " + (dir / "alerts.jsonl") + "\nroute:\n  sink: logs\n";
}

int check_config(const std::vector<std::string>& args, std::string& output) {
    std::vector<std::string> argv{host_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--check-config");
    return run_command(argv, output);
}

}  // namespace

TEST_CASE(
    "issue 14: every configuration, plugin and store error starts with tickets-grouping: "
    "and, where there is one, file:line: key") {
    TempDir dir;
    std::string output;

    SECTION("a plugin that is not a shared library says so, not Boost's Bad file descriptor") {
        write_file(dir / "not-a-plugin.so", "#!/bin/sh\necho hello\n");
        write_file(dir / "routes.yaml", log_sink_routes(dir, dir / "not-a-plugin.so"));
        CHECK(check_config({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           output) == 1);
        INFO(output);
        CHECK(output.rfind("tickets-grouping: ", 0) == 0);
        CHECK(output.find(dir / "routes.yaml:2: sinks.logs.plugin: plugin " +
                          (dir / "not-a-plugin.so") + " is not a shared library") !=
              std::string::npos);
        CHECK(output.find("Bad file descriptor") == std::string::npos);
    }
    SECTION("a plugin file that cannot be read says why") {
        write_file(dir / "routes.yaml", log_sink_routes(dir, dir / "gone/sink.so"));
        CHECK(check_config({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           output) == 1);
        INFO(output);
        CHECK(output.rfind("tickets-grouping: ", 0) == 0);
        CHECK(output.find("routes.yaml:2: sinks.logs.plugin: ") != std::string::npos);
    }
    SECTION("a plugin name found nowhere names the key and the places tried") {
        write_file(dir / "routes.yaml", log_sink_routes(dir, "no_such_sink"));
        CHECK(check_config({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           output) == 1);
        INFO(output);
        CHECK(output.rfind("tickets-grouping: ", 0) == 0);
        CHECK(output.find("routes.yaml:2: sinks.logs.plugin: ") != std::string::npos);
        CHECK(output.find("no_such_sink") != std::string::npos);
    }
    SECTION("a plugin that refuses its configuration is located at its sink") {
        write_file(dir / "routes.yaml",
                   "sinks:\n  logs:\n    plugin: log_sink\n    config: {}\nroute:\n  sink: logs\n");
        CHECK(check_config({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           output) == 1);
        INFO(output);
        CHECK(output.rfind("tickets-grouping: ", 0) == 0);
        CHECK(output.find("routes.yaml:2: sinks.logs.config: ") != std::string::npos);
    }
    SECTION("a state directory that cannot be made says why") {
        write_file(dir / "a-file", "");
        write_file(dir / "routes.yaml", log_sink_routes(dir, "log_sink"));
        // --check-config works on a temporary state directory: the host itself meets it.
        CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--state-dir",
                           dir / "a-file", "--listen", "127.0.0.1:0"},
                          output) == 1);
        INFO(output);
        CHECK(output.rfind("tickets-grouping: ", 0) == 0);
        CHECK(output.find("Not a directory") != std::string::npos);
    }
    SECTION("a store that cannot be opened, when the host starts") {
        write_file(dir / "routes.yaml", log_sink_routes(dir, "log_sink"));
        write_file(dir / "pg-password", "not-logged\n");
        // Port 1 on loopback: nothing listens there.
        CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--state-dir",
                           dir / "state", "--listen", "127.0.0.1:0", "--store",
                           "postgresql://tg@127.0.0.1:1/tg?password_file=" + (dir / "pg-password")},
                          output) == 1);
        INFO(output);
        const auto line = output.find("tickets-grouping: cannot open the spool postgresql://");
        CHECK(line != std::string::npos);
        CHECK(output.find("not-logged") == std::string::npos);
    }
}

TEST_CASE("issue 14: a routing file that cannot be read says why (ENOENT, EACCES)") {
    TempDir dir;
    std::string output;
    CHECK(check_config({"--config", dir / "missing.yaml"}, output) == 1);
    CHECK(output.rfind("tickets-grouping: ", 0) == 0);
    CHECK(output.find(dir / "missing.yaml: cannot read the routing file: No such file or directory "
                            "(ENOENT)") != std::string::npos);

    ::mkdir((dir / "a-directory.yaml").c_str(), 0755);
    CHECK(check_config({"--config", dir / "a-directory.yaml"}, output) == 1);
    CHECK(output.find("cannot read the routing file: Is a directory (EISDIR)") !=
          std::string::npos);

    write_file(dir / "secret.yaml", log_sink_routes(dir, "log_sink"));
    ::chmod((dir / "secret.yaml").c_str(), 0);
    ::chmod(dir.path().c_str(), 0755);
    // root reads any file: run the binary as nobody, as the service user would meet it.
    std::vector<std::string> as_user;
    if (::geteuid() == 0)
        as_user = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
    as_user.push_back(host_binary());
    for (const auto& a : {"--config", "", "--check-config"}) as_user.push_back(a);
    as_user[as_user.size() - 2] = dir / "secret.yaml";
    CHECK(run_command(as_user, output) == 1);
    INFO(output);
    CHECK(output.find("cannot read the routing file: Permission denied (EACCES)") !=
          std::string::npos);
}

TEST_CASE("issue 14: every delivery log line carries that delivery's own id") {
    TempDir dir;
    write_file(dir / "routes.yaml", log_sink_routes(dir, "log_sink"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    const std::regex delivered(R"(msg=delivered .*delivery=(\d+))");
    for (int i = 1; i <= 3; ++i) {
        const std::string body = R"({"alerts":[{"labels":{"alertname":"test)" + std::to_string(i) +
                                 R"(","instance":"server01"}}]})";
        REQUIRE(http_post(host.port(), "/webhook", body).status == 200);
        // One at a time, so that each is delivered (and its row deleted) before the next comes:
        // the case in which SQLite handed the same id out again.
        REQUIRE(eventually([&] {
            const std::string log = host.log();
            return std::distance(std::sregex_iterator(log.begin(), log.end(), delivered),
                                 std::sregex_iterator()) == i;
        }));
    }
    std::set<std::string> ids;
    const std::string log = host.log();
    for (auto m = std::sregex_iterator(log.begin(), log.end(), delivered);
         m != std::sregex_iterator(); ++m)
        ids.insert((*m)[1]);
    INFO(log);
    CHECK(ids.size() == 3);
    host.terminate();
    // A restart keeps counting: the ids name one delivery for the spool's life.
    HostProcess again({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                      dir / "host2.log");
    REQUIRE(again.wait_ready());
    REQUIRE(http_post(again.port(), "/webhook",
                      R"({"alerts":[{"labels":{"alertname":"test4","instance":"server01"}}]})")
                .status == 200);
    std::smatch m;
    REQUIRE(eventually([&] {
        const std::string l = again.log();
        return std::regex_search(l, m, delivered);
    }));
    const std::string l2 = again.log();
    REQUIRE(std::regex_search(l2, m, delivered));
    CHECK(ids.count(m[1]) == 0);
}
