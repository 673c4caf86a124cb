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

#include <map>
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
    // The running scheduler's hooks (the status page); not held up by a reload in progress.
    std::vector<HookStatus> hook_status();

  private:
    // A running sink: what its instance was created from, so that a reload keeps an unchanged
    // one (the same instance goes on) and hands a changed one's state directory over.
    struct LiveSink {
        std::string plugin_path;
        std::string config_json;
        std::shared_ptr<SinkInstance> instance;
    };
    Runtime::ReloadResult refuse(const std::string& why);
    // Hands the changed sinks of `next` over on their workers; on any failure hands the ones
    // already changed back and returns why (the old instances run again).
    std::string hand_over_changed(const Configuration& next, const std::vector<std::string>& names,
                                  std::map<std::string, std::shared_ptr<SinkInstance>>& created);
    // The built configuration in place of the running one (the dispatcher's sinks, the routes,
    // the scheduler); throws nothing. Returns how many sinks run now.
    size_t swap_in(const Configuration& next,
                   std::map<std::string, std::shared_ptr<SinkInstance>>& instances,
                   std::map<std::string, std::string>& plugin_paths,
                   std::map<std::string, SinkInstance::RoutesHere>& kept_routes,
                   std::unique_ptr<Scheduler> next_scheduler);
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
    std::mutex mutex_;            // one reload at a time
    std::mutex scheduler_mutex_;  // scheduler_ swapped while hook_status reads it
    std::unique_ptr<Scheduler> scheduler_;
    Configuration current_;  // what the running sinks were created from
    std::map<std::string, LiveSink> live_;
};

}  // namespace tg::host
