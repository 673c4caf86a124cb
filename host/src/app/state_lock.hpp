// One running host per state directory: the ABI gives a sink instance its state_dir alone, so a
// second host, or a one-shot command beside a running one, must not create instances there.
// The host holds an flock on <state>/host.lock for its lifetime and describes itself in
// <state>/host.json (pid, admin address) so that one-shot commands can go through it.
#pragma once

#include <optional>
#include <string>

namespace tg::host {

// What a running host says about itself in host.json.
struct RunningHost {
    long pid = 0;        // 0: not known yet (the host is starting)
    std::string listen;  // ADDR:PORT, "" until it listens
    bool tls = false;
};

class StateLock {
  public:
    // Takes the lock, or returns nullopt when another process holds it.
    static std::optional<StateLock> try_acquire(const std::string& state_dir);
    // What the holder wrote (pid, address); default when nothing readable is there yet.
    static RunningHost holder(const std::string& state_dir);

    StateLock(StateLock&& other) noexcept;
    StateLock& operator=(StateLock&&) = delete;
    ~StateLock();  // releases the lock (host.json is left: the lock is what counts)

    // Records this process as the host serving on `listen`.
    void publish(const std::string& listen, bool tls);

  private:
    StateLock(std::string state_dir, int fd) : state_dir_(std::move(state_dir)), fd_(fd) {}
    std::string state_dir_;
    int fd_ = -1;
};

// "the state directory DIR is in use by a running host (pid N)", for refusals.
std::string in_use_message(const std::string& state_dir, const RunningHost& host);

}  // namespace tg::host
