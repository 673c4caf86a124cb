// The running configuration's sinks, routes and scheduler, and its reload: everything new is built
// first (sinks, hooks, scheduler, listener settings); only when all of it is ready is it swapped
// in, so a reload that fails anywhere leaves the running configuration working as it was.
#pragma once

#include "app/configuration.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/http_server.hpp"
#include "http/runtime.hpp"
#include "scheduler/scheduler.hpp"
#include "spool/spool.hpp"

#include <memory>
#include <mutex>
#include <set>

namespace tg::host {

// Today's env-file deployments listen on 0.0.0.0 without auth: they keep running, warned.
void warn_if_exposed(const std::string& listen, const WebhookAuth& auth);

class Reloader {
  public:
    Reloader(const Options& options, const Configuration& initial, Spool& spool,
             Dispatcher& dispatcher, Metrics& metrics, Runtime& runtime);
    // Starts the initial configuration's sinks and scheduler; throws when they cannot be built.
    void start();
    void set_http(HttpServer* http) { http_ = http; }
    Runtime::ReloadResult reload();
    void stop();  // the scheduler; the dispatcher is the caller's

  private:
    Runtime::ReloadResult refuse(const std::string& why);
    // Deliveries spooled for a sink the configuration no longer has would wait for ever (and keep
    // the spool from compacting): they go to the dead letters, "sink removed", and are logged.
    void dead_letter_removed_sinks(const RoutingConfig& routing);

    const Options& options_;
    const Configuration& initial_;
    Spool& spool_;
    Dispatcher& dispatcher_;
    Metrics& metrics_;
    Runtime& runtime_;
    HttpServer* http_ = nullptr;
    std::mutex mutex_;  // one reload at a time
    std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace tg::host
