// The operator's routing file, loaded: named sinks and the route tree that sends alerts to them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/matcher.hpp"

namespace tg::host {

struct RetryPolicy {
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{300000};
    uint32_t max_attempts = 0;                    // 0 = no limit (max_age still applies)
    std::chrono::seconds max_age{7 * 24 * 3600};  // then the delivery goes to the dead letters
};

struct HookSchedule {
    std::optional<std::string> cron;       // overrides the sink's default cron
    std::optional<std::string> time_zone;  // overrides the sink's zone
    bool enabled = true;
};

struct SinkConfig {
    std::string name;
    std::string plugin;       // a plugin name (found in the plugin directories) or a path to a .so
    std::string config_json;  // the `config:` block converted to a JSON object ("{}" if absent)
    RetryPolicy retry;
    // Deliveries of different groups at once, for a sink that declares delivery groups (ABI
    // 1.6); a sink without them, or 1, takes one delivery at a time.
    uint32_t concurrency = default_concurrency;
    static constexpr uint32_t default_concurrency = 4;
    static constexpr uint32_t max_concurrency = 64;
    std::map<std::string, HookSchedule> hooks;  // by hook name
    int line = 0;                               // where it is defined, for messages
};

struct Route {
    std::string sink;  // resolved: inherited from the parent when not set
    std::vector<Matcher> matchers;
    bool continue_matching = false;
    std::vector<Route> routes;
    std::string path;  // "route", "route.routes[1]", ... for logs and metrics
};

// Alertmanager's webhook http_config: a bearer token or HTTP basic auth (secrets already read
// from their files or variables).
struct WebhookAuth {
    std::optional<std::string> bearer_token;
    std::optional<std::string> basic_username;
    std::optional<std::string> basic_password;
    bool enabled() const { return bearer_token || basic_username; }
};

struct TlsSettings {
    std::string cert_file;
    std::string key_file;
};

struct ServerSettings {
    std::optional<std::string> listen;  // ADDR:PORT
    WebhookAuth auth;                   // required on /webhook and /-/reload when enabled
    std::optional<TlsSettings> tls;
    size_t max_body_bytes = 10 * 1024 * 1024;
    int max_threads = 64;
    int max_queued = 256;
    // The longest wait for a client's next bytes, and the whole time allowed for a body: a
    // client that trickles its request is cut off (408) instead of holding a thread.
    std::chrono::milliseconds read_timeout{15000};
    // The whole request head (request line and headers) must arrive within this, counted from
    // the connection (or the previous answer on it); until then it holds no thread.
    std::chrono::milliseconds head_timeout{10000};
    // Bytes of webhook bodies being read and parsed at once, the parsed form included; past it,
    // 503 with Retry-After. Bounds the intake's memory whatever the senders do.
    size_t max_inflight_bytes = 64 * 1024 * 1024;
    size_t max_alerts = 10000;  // per notification (Alertmanager: webhook_config max_alerts)
    // Delivery limits of every sink (read at start):
    // claims of one delivery that never recorded an outcome (the process died in the sink's
    // call) before it goes to the dead letters instead of being tried again;
    uint32_t max_crashes = 3;
    // failed attempts in a row of one head before the sink's probe is asked whether its target
    // is otherwise healthy (then the head goes to the dead letters); 0 = never;
    uint32_t probe_after = 10;
    // how long dead letters are kept.
    std::chrono::milliseconds dead_letter_retention{std::chrono::hours(24 * 30)};
};

struct RoutingConfig {
    std::string source_file;  // "" when synthesised from the REDMINE_* variables
    std::vector<std::string> plugin_dirs;
    std::optional<std::string> state_dir;
    std::optional<std::string> store;      // the spool's store URL (--store wins)
    int store_line = 0;                    // where `store:` is, for messages
    std::optional<std::string> time_zone;  // default zone for hook schedules
    ServerSettings server;
    std::vector<SinkConfig> sinks;  // in file order; names unique
    Route root;

    const SinkConfig* find_sink(const std::string& name) const;
};

}  // namespace tg::host
