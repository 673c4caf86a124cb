// The service manager's side of the host's life (sd_notify(3)): READY=1 once the listener is open
// and every sink is loaded (when /readyz first answers), WATCHDOG=1 keep-alives while no sink's
// worker is stuck in one round, STOPPING=1 when the drain begins. Without $NOTIFY_SOCKET (not
// started by systemd with Type=notify) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace tg::host {

class SystemdNotifier {
  public:
    SystemdNotifier();
    void ready(const std::string& status);
    void stopping();
    void keep_alive();
    // Told "this process is hung" by a missing keep-alive after it (WatchdogSec=); none when the
    // unit has no watchdog.
    std::optional<std::chrono::milliseconds> watchdog_timeout() const { return watchdog_; }

  private:
    std::optional<std::chrono::milliseconds> watchdog_;
};

}  // namespace tg::host
