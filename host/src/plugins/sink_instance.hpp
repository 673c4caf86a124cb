// One configured sink: a plugin instance created from a routing file's `sinks:` entry, and the
// host services it is given. Calls are not synchronised here: the dispatcher calls one at a time,
// as the ABI promises, except deliver of a sink with delivery groups (ABI 1.6), which it may call
// from several threads at once for different groups.
#pragma once

#include <tickets_grouping/sink_abi.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tg::host {

// What a sink said a delivery touched in its target (ABI 1.4 report_link): a ticket, say.
struct SinkLink {
    std::string url;
    std::string label;
};

struct SinkCallResult {
    tg_status status = TG_OK;
    std::string error;                 // empty on TG_OK
    std::vector<SinkLink> links = {};  // of a delivery (not a dry run), in the order reported
};

struct DeclaredHook {
    std::string name;
    std::string default_cron;
    std::string time_zone;
};

// What a sink may ask of the host: where its log lines go, and how variables are looked up.
struct SinkHostContext {
    std::function<void(tg_log_level, const std::string& sink, const std::string& message)> log;
    std::function<bool(const std::string& name, std::string& value)> get_env;
    // Where the sink's metrics go (unset: dropped). Receives the full metric name
    // (tickets_grouping_sink_<name>) and labels starting with sink="<instance>"; returns false
    // when the name is already taken by a metric of the other type.
    enum class MetricKind { counter, histogram };
    std::function<bool(MetricKind, const std::string& name,
                       const std::vector<std::pair<std::string, std::string>>& labels,
                       double value)>
        metric;
    // The replicas' shared store (a libpq connection string) for sinks whose state must be
    // shared too; "" on the embedded store. Holds the password: never logged.
    std::string shared_store;
    // Whether the running routes send an alert with these labels to this sink (ABI 1.5
    // routes_here); unset: not routed here. A reload that keeps the instance replaces it
    // (SinkInstance::set_routes_here).
    std::function<bool(const std::map<std::string, std::string>& labels)> routes_here;
};

class SinkInstance {
  public:
    // Throws PluginError when the plugin refuses the configuration.
    SinkInstance(const tg_sink_plugin* plugin, std::string plugin_path, std::string name,
                 const std::string& config_json, const std::string& state_dir,
                 SinkHostContext host);
    ~SinkInstance();
    SinkInstance(const SinkInstance&) = delete;
    SinkInstance& operator=(const SinkInstance&) = delete;

    const std::string& name() const { return name_; }
    const std::string& plugin_path() const { return plugin_path_; }
    const std::vector<DeclaredHook>& hooks() const { return hooks_; }
    // ABI 1.6: the labels whose values make a delivery's group; empty: one delivery at a time.
    const std::vector<std::string>& group_labels() const { return group_labels_; }

    SinkCallResult deliver(const std::string& payload, const std::string& idempotency_key,
                           const std::string& route, uint32_t attempt, bool dry_run);
    SinkCallResult run_hook(const std::string& hook, int64_t scheduled_unix_ms, bool dry_run);
    SinkCallResult check();
    // ABI 1.3: whether the sink's target is healthy apart from the failing head; nothing when the
    // plugin has no probe (a table older than 1.3, or a NULL pointer).
    std::optional<SinkCallResult> probe();

    using RoutesHere = std::function<bool(const std::map<std::string, std::string>& labels)>;
    // What the sink's routes_here answers from now on: a reload that keeps this instance gives it
    // the new routes. Safe while the sink calls routes_here from any thread.
    void set_routes_here(RoutesHere routes_here);

    // The sink's dry-run lines (those that start with "dry run"), warnings and errors from now
    // until the transcript ends, besides the host's log: what a one-shot command shows its
    // operator of one call ("dry run: would POST ..."), also when the call runs in a host that
    // serves the command for its state directory.
    class Transcript {
      public:
        explicit Transcript(SinkInstance& sink);
        ~Transcript();
        Transcript(const Transcript&) = delete;
        Transcript& operator=(const Transcript&) = delete;
        std::vector<std::string> lines() const;

      private:
        SinkInstance& sink_;
    };

  private:
    static void log_thunk(void* context, tg_log_level level, tg_str message) noexcept;
    static size_t env_thunk(void* context, tg_str name, char* buffer, size_t capacity) noexcept;
    static void metric_add_thunk(void* context, tg_str name, tg_str labels, double value) noexcept;
    static void metric_observe_thunk(void* context, tg_str name, tg_str labels,
                                     double value) noexcept;
    static void report_link_thunk(void* context, tg_str url, tg_str label) noexcept;
    static int routes_here_thunk(void* context, const tg_label* labels, size_t count) noexcept;
    void read_group_labels();
    void metric(SinkHostContext::MetricKind kind, std::string_view name, std::string_view labels,
                double value);

    const tg_sink_plugin* plugin_;
    std::string plugin_path_;
    std::string name_;
    SinkHostContext host_;
    tg_host_services services_{};
    void* instance_ = nullptr;
    std::vector<DeclaredHook> hooks_;
    std::vector<std::string> group_labels_;
    std::mutex metrics_mutex_;             // a sink may report from threads of its own
    std::set<std::string> metric_series_;  // name + labels, capped per instance
    std::set<std::string> metric_warned_;  // names already warned about
    std::mutex links_mutex_;               // a buggy sink may report from another thread
    // During a real delivery (not a dry run), by the thread making the call: deliveries of
    // different groups may run at once (ABI 1.6), each reporting on its own thread.
    std::map<std::thread::id, std::vector<SinkLink>> links_;
    mutable std::mutex routes_mutex_;  // routes_here_ is replaced by a reload while a sink asks
    std::shared_ptr<const RoutesHere> routes_here_;  // from host_.routes_here, then each reload
    mutable std::mutex transcript_mutex_;
    std::optional<std::vector<std::string>> transcript_;  // while a Transcript lives
    std::atomic<bool> transcribing_{false};               // transcript_ is set
};

}  // namespace tg::host
