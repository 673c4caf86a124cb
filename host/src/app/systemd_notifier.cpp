#include "app/systemd_notifier.hpp"

#include "observability/log.hpp"

#include <systemd/sd-daemon.h>

#include <cstring>

namespace tg::host {
namespace {

void notify(const std::string& state) {
    // 0: no $NOTIFY_SOCKET, not run by systemd as Type=notify. A failure to send is logged and
    // otherwise ignored: the alerts matter more than the service manager's view of them.
    if (const int rc = sd_notify(0, state.c_str()); rc < 0)
        log::warn("cannot notify the service manager",
                  {{"state", state.substr(0, state.find('\n'))}, {"error", std::strerror(-rc)}});
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        watchdog_ = std::chrono::milliseconds(usec / 1000);
}

void SystemdNotifier::ready(const std::string& status) { notify("READY=1\nSTATUS=" + status); }
void SystemdNotifier::stopping() { notify("STOPPING=1\nSTATUS=draining"); }
void SystemdNotifier::keep_alive() { notify("WATCHDOG=1"); }

}  // namespace tg::host
