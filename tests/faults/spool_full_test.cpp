// Scenario d: the spool's file system full or read-only. The host must answer 5xx (so that
// Alertmanager retries), say why in its log and in /readyz, and recover by itself once writes
// work again; nothing refused may be half-applied, nothing acknowledged lost.
//
// The state directory is a small tmpfs mounted by the test (root bypasses chmod, so a full or
// read-only file system is the honest way to make writes fail).
#include "fault_support.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace tg;
using namespace tg::faults;

namespace {

// A tmpfs on `path` for the test's lifetime.
struct Tmpfs {
    std::string path;
    bool mounted = false;
    std::string error;
    Tmpfs(const std::string& where, const std::string& size) : path(where) {
        std::filesystem::create_directories(path);
        mounted = ::mount("tmpfs", path.c_str(), "tmpfs", 0,
                          ("size=" + size + ",mode=0755").c_str()) == 0;
        if (!mounted) error = std::strerror(errno);
    }
    bool remount(bool read_only) {
        return ::mount("tmpfs", path.c_str(), "tmpfs", MS_REMOUNT | (read_only ? MS_RDONLY : 0),
                       nullptr) == 0;
    }
    ~Tmpfs() {
        if (mounted) ::umount2(path.c_str(), MNT_DETACH);
    }
};

// Writes zeros into `file` until the file system refuses; returns the bytes written.
size_t fill(const std::string& file) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::string block(65536, '\0');
    size_t total = 0;
    for (ssize_t n; (n = ::write(fd, block.data(), block.size())) > 0;)
        total += static_cast<size_t>(n);
    ::close(fd);
    return total;
}

std::string body(int n, size_t padding) {
    return R"({"alerts":[{"labels":{"alertname":"SpoolFull","instance":"n)" + std::to_string(n) +
           R"("},"annotations":{"pad":")" + std::string(padding, 'x') + R"("}}]})";
}

std::set<int> delivered(const std::string& path) {
    std::set<int> seen;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        auto alert =
            Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>()->getObject("alert");
        seen.insert(
            std::stoi(alert->getObject("labels")->getValue<std::string>("instance").substr(1)));
    }
    return seen;
}

// Runs the scenario with `break_writes` making the spool unwritable and `repair` undoing it.
void scenario(const std::string& name, const std::function<void(Tmpfs&)>& break_writes,
              const std::function<void(Tmpfs&)>& repair) {
    const auto started = std::chrono::steady_clock::now();
    test::TempDir dir;
    Tmpfs state(dir / "state", "3m");
    if (!state.mounted) {
        WARN("cannot mount a tmpfs here (" << state.error << "): scenario d skipped");
        return;
    }
    const std::string out = dir / "alerts.jsonl";  // not on the tmpfs: only the spool suffers
    test::write_file(dir / "routes.yaml",
                     "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " + out +
                         "\nroute:\n  sink: logs\n");
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", state.path},
                           dir / "host.log");
    REQUIRE(host.wait_ready());

    std::set<int> acknowledged;
    int n = 0, sent = 0;
    auto post = [&](int number) {
        ++sent;
        const auto answer = test::http_post(host.port(), "/webhook", body(number, 20000));
        if (answer.status == 200) acknowledged.insert(number);
        return answer;
    };
    for (; n < 5; ++n) REQUIRE(post(n).status == 200);

    break_writes(state);
    // Keep sending (bigger bodies fill what SQLite had left) until the host refuses.
    test::HttpResult refusal;
    std::vector<int> refused;
    for (int i = 0; i < 200 && refusal.status == 0; ++i, ++n) {
        auto answer = post(n);
        if (answer.status != 200) {
            refusal = answer;
            refused.push_back(n);
        }
    }
    INFO("refusal: " << refusal.status << " " << refusal.body << refusal.error);
    CHECK(refusal.status == 503);
    const auto ready = test::http_get(host.port(), "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body.find("spool") != std::string::npos);
    CHECK(host.log().find("spool unavailable") != std::string::npos);
    // Still refusing while broken: several more, then repair.
    for (int i = 0; i < 3; ++i, ++n)
        if (post(n).status != 200) refused.push_back(n);

    repair(state);
    // Readiness comes back by itself (a probe write), before any webhook arrives.
    CHECK(test::eventually([&] { return test::http_get(host.port(), "/readyz").status == 200; },
                           std::chrono::seconds(20)));
    // Alertmanager retries what was refused: each must now be acknowledged, without a restart.
    const auto repaired = std::chrono::steady_clock::now();
    bool recovered = test::eventually([&] { return post(refused.front()).status == 200; },
                                      std::chrono::seconds(20));
    const double recovery_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - repaired).count();
    CHECK(recovered);
    for (int r : refused) CHECK(post(r).status == 200);
    CHECK(test::http_get(host.port(), "/readyz").status == 200);
    for (int i = 0; i < 3; ++i, ++n) CHECK(post(n).status == 200);

    REQUIRE(
        test::eventually([&] { return metric(host.port(), "tickets_grouping_spool_depth") == 0; }));
    const auto seen = delivered(out);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report("d " + name, static_cast<uint64_t>(sent), acknowledged.size(), acknowledged.size(),
           seen.size(), 0, seconds,
           "refused " + std::to_string(refused.size()) + " (" + std::to_string(refusal.status) +
               " \"" + refusal.body.substr(0, 80) + "\"), recovered " +
               std::to_string(recovery_s).substr(0, 4) +
               " s after the repair, readyz while broken: " + ready.body.substr(0, 160));
    CHECK(seen == acknowledged);  // every acknowledged one, and nothing else
    CHECK(host.terminate() == 0);
}

}  // namespace

TEST_CASE("the spool's disk full: 503, reason in the log and /readyz, recovery without a restart",
          "[faults][spool]") {
    std::string filler;
    scenario(
        "spool-disk-full",
        [&](Tmpfs& fs) {
            filler = fs.path + "/filler";
            std::cout << "filled the spool's tmpfs with " << fill(filler) << " bytes" << std::endl;
        },
        [&](Tmpfs&) { std::filesystem::remove(filler); });
}

// The realistic way a spool's file system turns read-only under a running process: ext4 with
// errors=remount-ro meeting an error (triggered through /sys/fs/ext4/<dev>/trigger_fs_error).
// Such a file system stays read-only until it is unmounted and checked, which needs the host
// stopped: the host must refuse with 503 meanwhile, say why, and after the repair and a restart
// deliver everything it acknowledged.
TEST_CASE(
    "the spool's ext4 turns read-only on an error: 503 and why, after fsck and a restart nothing "
    "lost",
    "[faults][spool]") {
    const auto started = std::chrono::steady_clock::now();
    test::TempDir dir;
    const std::string image = dir / "spool.ext4", mountpoint = dir / "state";
    std::filesystem::create_directories(mountpoint);
    std::string output;
    if (test::run_command({"truncate", "-s", "32M", image}, output) != 0 ||
        test::run_command({"mkfs.ext4", "-q", image}, output) != 0 ||
        test::run_command({"mount", "-o", "loop,errors=remount-ro", image, mountpoint}, output) !=
            0) {
        WARN("cannot make and loop-mount an ext4 image here (" << output << "): scenario skipped");
        return;
    }
    struct Unmount {
        std::string path;
        ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
    } unmount{mountpoint};
    std::string device;
    test::run_command({"findmnt", "-n", "-o", "SOURCE", mountpoint}, device);
    device = std::filesystem::path(device.substr(0, device.find('\n'))).filename().string();

    const std::string out = dir / "alerts.jsonl";
    test::write_file(dir / "routes.yaml",
                     "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " + out +
                         "\nroute:\n  sink: logs\n");
    const std::vector<std::string> args{"--config", dir / "routes.yaml", "--state-dir", mountpoint};
    auto host = std::make_unique<test::HostProcess>(args, dir / "host.log");
    REQUIRE(host->wait_ready());
    std::set<int> acknowledged;
    std::vector<int> refused;
    int n = 0, sent = 0;
    test::HttpResult refusal;
    auto post = [&](int number) {
        ++sent;
        const auto answer = test::http_post(host->port(), "/webhook", body(number, 100));
        if (answer.status == 200) acknowledged.insert(number);
        return answer;
    };
    for (; n < 5; ++n) REQUIRE(post(n).status == 200);

    test::write_file("/sys/fs/ext4/" + device + "/trigger_fs_error",
                     "tickets-grouping fault test\n");
    for (int i = 0; i < 5; ++i, ++n) {
        auto answer = post(n);
        if (answer.status != 200) {
            refusal = answer;
            refused.push_back(n);
        }
    }
    INFO("refusal: " << refusal.status << " " << refusal.body << refusal.error);
    CHECK(refused.size() == 5);
    CHECK(refusal.status == 503);
    const auto ready = test::http_get(host->port(), "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body.find("spool") != std::string::npos);
    CHECK(host->log().find("spool unavailable") != std::string::npos);
    CHECK(host->running());
    const int stop_status = host->terminate();

    // The operator's repair: unmount, check, mount again; then the host starts again.
    REQUIRE(::umount2(mountpoint.c_str(), 0) == 0);
    test::run_command({"e2fsck", "-fy", image}, output);
    REQUIRE(test::run_command({"mount", "-o", "loop,errors=remount-ro", image, mountpoint},
                              output) == 0);
    host = std::make_unique<test::HostProcess>(args, dir / "host.log");
    REQUIRE(host->wait_ready());
    for (int r : refused) CHECK(post(r).status == 200);  // Alertmanager's retries
    CHECK(test::http_get(host->port(), "/readyz").status == 200);
    REQUIRE(test::eventually(
        [&] { return metric(host->port(), "tickets_grouping_spool_depth") == 0; }));
    const auto seen = delivered(out);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report("d spool-read-only (ext4 error)", static_cast<uint64_t>(sent), acknowledged.size(),
           acknowledged.size(), seen.size(), 0, seconds,
           "refused " + std::to_string(refused.size()) + " (" + std::to_string(refusal.status) +
               "), SIGTERM exit while broken " + std::to_string(stop_status) +
               ", readyz while broken: " + ready.body.substr(0, 160));
    CHECK(seen == acknowledged);
    CHECK(host->terminate() == 0);
}
