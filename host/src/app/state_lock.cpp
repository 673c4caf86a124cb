#include "app/state_lock.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tg::host {
namespace {

std::string path_in(const std::string& state_dir, const char* name) {
    return (std::filesystem::path(state_dir) / name).string();
}

void write_atomically(const std::string& path, const std::string& text) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << text;
        if (!out.flush()) throw std::runtime_error("cannot write " + temporary);
    }
    std::filesystem::rename(temporary, path);
}

}  // namespace

std::optional<StateLock> StateLock::try_acquire(const std::string& state_dir) {
    std::filesystem::create_directories(state_dir);
    const std::string path = path_in(state_dir, "host.lock");
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK) return std::nullopt;
        throw std::runtime_error("cannot lock " + path + ": " + std::strerror(error));
    }
    // The pid at once, so that a refusal can name it before host.json is written.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The lock holds anyway; only the refusal message of another process loses the pid.
    }
    return StateLock(state_dir, fd);
}

RunningHost StateLock::holder(const std::string& state_dir) {
    RunningHost host;
    std::ifstream lock(path_in(state_dir, "host.lock"));
    lock >> host.pid;
    try {
        std::ifstream in(path_in(state_dir, "host.json"));
        std::stringstream text;
        text << in.rdbuf();
        auto json = Poco::JSON::Parser().parse(text.str()).extract<Poco::JSON::Object::Ptr>();
        // host.json of an earlier holder (killed) is stale: only the lock's pid is current.
        if (json->optValue<long>("pid", 0) == host.pid) {
            host.listen = json->optValue<std::string>("listen", "");
            host.tls = json->optValue<bool>("tls", false);
        }
    } catch (const std::exception&) {  // Poco's exceptions too: none there yet, or torn
    }
    return host;
}

StateLock::StateLock(StateLock&& other) noexcept
    : state_dir_(std::move(other.state_dir_)), fd_(other.fd_) {
    other.fd_ = -1;
}

StateLock::~StateLock() {
    if (fd_ >= 0) ::close(fd_);
}

void StateLock::publish(const std::string& listen, bool tls) {
    Poco::JSON::Object json;
    json.set("pid", static_cast<long>(::getpid()));
    json.set("listen", listen);
    json.set("tls", tls);
    std::ostringstream text;
    json.stringify(text);
    write_atomically(path_in(state_dir_, "host.json"), text.str() + "\n");
}

std::string in_use_message(const std::string& state_dir, const RunningHost& host) {
    return "the state directory " + state_dir + " is in use by a running host (pid " +
           (host.pid ? std::to_string(host.pid) : std::string("unknown")) + ")";
}

}  // namespace tg::host
