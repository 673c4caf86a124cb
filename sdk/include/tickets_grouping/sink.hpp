// Header-only C++ wrapper over sink_abi.h: derive from tg::Sink, implement deliver(), and export
// the class with TG_SINK_PLUGIN. Every exception is caught at the C boundary and becomes a
// status with its message, so nothing throws across the plugin boundary.
#pragma once

#include <tickets_grouping/sink_abi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tg {

inline std::string_view view(tg_str s) { return s.data ? std::string_view(s.data, s.size) : ""; }
inline tg_str borrow(std::string_view s) { return tg_str{s.data(), s.size()}; }

// Copies a message into the host's error buffer, cut at a UTF-8 character boundary.
inline void set_error(tg_error_buf* error, std::string_view message) {
    if (!error || !error->data || error->capacity == 0) return;
    size_t n = message.size() < error->capacity - 1 ? message.size() : error->capacity - 1;
    while (n > 0 && n < message.size() && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80)
        --n;
    std::memcpy(error->data, message.data(), n);
    error->data[n] = '\0';
}

// Thrown by a sink to ask for a retry with backoff (Redmine down, timeout, ...).
struct RetryLater : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Thrown by a sink for a failure that retrying cannot fix (bad config, rejected content).
struct Drop : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class HostServices {
  public:
    explicit HostServices(const tg_host_services* services) : services_(services) {}

    void log(tg_log_level level, std::string_view message) const {
        if (services_ && services_->log)
            services_->log(services_->host_ctx, level, borrow(message));
    }
    void debug(std::string_view m) const { log(TG_LOG_DEBUG, m); }
    void info(std::string_view m) const { log(TG_LOG_INFO, m); }
    void warn(std::string_view m) const { log(TG_LOG_WARN, m); }
    void error(std::string_view m) const { log(TG_LOG_ERROR, m); }

    // The operator's env file first, then the process environment.
    std::optional<std::string> env(std::string_view name) const {
        if (!services_ ||
            services_->struct_size < offsetof(tg_host_services, get_env) + sizeof(void*) ||
            !services_->get_env)
            return std::nullopt;
        // Asks again with the size it was told until the value fits (it may change in between).
        std::string value(256, '\0');
        for (int attempt = 0; attempt < 8; ++attempt) {
            const size_t n =
                services_->get_env(services_->host_ctx, borrow(name), value.data(), value.size());
            if (n == TG_ENV_UNSET) return std::nullopt;
            const bool fits = n <= value.size();
            value.resize(n);
            if (fits) return value;
        }
        return std::nullopt;
    }

    // Metrics (sink ABI 1.1): exposed as tickets_grouping_sink_<name>{sink="<instance>",...}.
    // `labels` is "" or "key=value,key=value". No-ops on a host older than 1.1.
    void count(std::string_view name, std::string_view labels = {}, double value = 1) const {
        if (has(offsetof(tg_host_services, metric_add)) && services_->metric_add)
            services_->metric_add(services_->host_ctx, borrow(name), borrow(labels), value);
    }
    // One observation (seconds) in the histogram `name`.
    void observe(std::string_view name, std::string_view labels, double value) const {
        if (has(offsetof(tg_host_services, metric_observe)) && services_->metric_observe)
            services_->metric_observe(services_->host_ctx, borrow(name), borrow(labels), value);
    }

    // ABI 1.4: what this delivery touched in the target (for Redmine: the ticket's URL and
    // "#123 <subject>"), shown on the host's status page. Call it from deliver() only, once per
    // item; the host ignores it in a dry run. A no-op on a host older than 1.4.
    void report_link(std::string_view url, std::string_view label) const {
        if (has(offsetof(tg_host_services, report_link)) && services_->report_link)
            services_->report_link(services_->host_ctx, borrow(url), borrow(label));
    }

    // ABI 1.5: whether the host's routing file sends an alert with exactly these labels to this
    // sink instance, as it would route it in a webhook now (the running configuration, also
    // after a reload): for alerts read from elsewhere than a delivery (Alertmanager's API, say).
    // std::nullopt on a host older than 1.5, or when the host refuses the call (an empty label
    // name): then do what is safe, e.g. leave alone an alert you cannot attribute. Any thread.
    std::optional<bool> routes_here(
        const std::map<std::string, std::string>& labels) const noexcept {
        if (!has(offsetof(tg_host_services, routes_here)) || !services_->routes_here)
            return std::nullopt;
        try {
            std::vector<tg_label> pairs;
            pairs.reserve(labels.size());
            for (const auto& [name, value] : labels) pairs.push_back({borrow(name), borrow(value)});
            const int answer =
                services_->routes_here(services_->host_ctx, pairs.data(), pairs.size());
            if (answer == 1) return true;
            if (answer == 0) return false;
            return std::nullopt;
        } catch (...) {  // std::bad_alloc: no answer rather than an exception
            return std::nullopt;
        }
    }

  private:
    // Whether the host's table holds the function pointer at `offset` (older hosts are shorter).
    bool has(size_t offset) const {
        return services_ && services_->struct_size >= offset + sizeof(void*);
    }

    const tg_host_services* services_;
};

struct SinkContext {
    std::string instance_name;
    std::string config_json;
    std::string state_dir;
    HostServices host;
    // ABI 1.2: the replicas' shared store as a libpq connection string, "" for the embedded one
    // (and from an older host). Holds a password: never log it.
    std::string shared_store;
};

struct Delivery {
    std::string_view notification_json;
    std::string_view idempotency_key;
    std::string_view route;
    bool dry_run = false;
    uint32_t attempt = 1;
};

struct HookRun {
    std::string_view name;
    int64_t scheduled_unix_ms = 0;
    bool dry_run = false;
};

struct Hook {
    std::string name;
    std::string default_cron;
    std::string time_zone;  // "" = the host's zone
};

class Sink {
  public:
    virtual ~Sink() = default;
    // Returns normally on success; throws RetryLater or Drop (any other exception = retry).
    virtual void deliver(const Delivery& delivery) = 0;
    virtual std::vector<Hook> hooks() const { return {}; }
    virtual void run_hook(const HookRun& run) {
        throw Drop("this sink has no hook named '" + std::string(run.name) + "'");
    }
    // Deeper configuration checks for --check-config; report each problem with host.error()
    // and return false if there was any.
    virtual bool check() { return true; }
    // ABI 1.3: whether the target is healthy apart from the delivery at the head of the queue;
    // return normally when it is, throw RetryLater (or Drop) with why when not. Must change
    // nothing. The host asks after a head has failed server.probe_after attempts in a row, and
    // dead-letters that head if the probe succeeds. Override it only if the sink can tell: the
    // table exports a probe only for a class that overrides this one; without it, failing heads
    // are retried as their retry policy says.
    virtual void probe() { throw RetryLater("this sink has no probe"); }
    // ABI 1.6: the labels whose values make an alert's delivery group, for a sink that takes
    // deliveries of different groups at once. Empty (the default): one delivery at a time. Non
    // empty: the host splits each notification by group and may call deliver() from several
    // threads at once (up to the sink's `concurrency`), never for two deliveries of one group at
    // once, a group's deliveries in arrival order; hooks, check() and probe() still run alone.
    // Read once, after the constructor. deliver() must then be safe to run concurrently.
    virtual std::vector<std::string> group_labels() const { return {}; }
};

namespace detail {

struct Instance {
    std::unique_ptr<Sink> sink;
    std::vector<Hook> hooks;  // owns the strings handed out by hook_get
    std::vector<std::string> group_labels;  // owns the strings handed out by group_label_get
};

template <class F>
tg_status guarded(tg_error_buf* error, F&& body) noexcept {
    try {
        return body();
    } catch (const Drop& e) {
        set_error(error, e.what());
        return TG_DROP;
    } catch (const RetryLater& e) {
        set_error(error, e.what());
        return TG_RETRY_LATER;
    } catch (const std::exception& e) {
        set_error(error, e.what());
        return TG_RETRY_LATER;
    } catch (...) {
        set_error(error, "unknown exception in sink");
        return TG_RETRY_LATER;
    }
}

template <class SinkClass>
struct Adapter {
    // &SinkClass::probe names Sink's own member unless SinkClass declares one.
    static constexpr bool has_probe =
        !std::is_same_v<decltype(&SinkClass::probe), void (Sink::*)()>;
    static tg_status create(const tg_sink_create_args* args, void** instance,
                            tg_error_buf* error) noexcept {
        return guarded(error, [&] {
            if (!args || !instance) throw Drop("create called without arguments");
            SinkContext context{std::string(view(args->instance_name)),
                                std::string(view(args->config_json)),
                                std::string(view(args->state_dir)),
                                HostServices(args->host),
                                {}};
            if (args->struct_size >= offsetof(tg_sink_create_args, shared_store) + sizeof(tg_str))
                context.shared_store = std::string(view(args->shared_store));
            auto holder = std::make_unique<Instance>();
            try {
                holder->sink = std::make_unique<SinkClass>(context);
            } catch (const std::invalid_argument& e) {
                throw Drop(e.what());  // a configuration error will not fix itself
            }
            holder->hooks = holder->sink->hooks();
            holder->group_labels = holder->sink->group_labels();
            *instance = holder.release();
            return TG_OK;
        });
    }
    static void destroy(void* instance) noexcept {
        try {
            delete static_cast<Instance*>(instance);
        } catch (...) {
        }
    }
    static tg_status deliver(void* instance, const tg_delivery* d, tg_error_buf* error) noexcept {
        return guarded(error, [&] {
            Delivery delivery{view(d->notification_json), view(d->idempotency_key), view(d->route),
                              (d->flags & TG_FLAG_DRY_RUN) != 0, d->attempt};
            static_cast<Instance*>(instance)->sink->deliver(delivery);
            return TG_OK;
        });
    }
    static uint32_t hook_count(void* instance) noexcept {
        return static_cast<uint32_t>(static_cast<Instance*>(instance)->hooks.size());
    }
    static tg_status hook_get(void* instance, uint32_t index, tg_hook_decl* out) noexcept {
        auto& hooks = static_cast<Instance*>(instance)->hooks;
        // The host's struct_size says how much of tg_hook_decl it gave: never write past it.
        constexpr size_t needed = offsetof(tg_hook_decl, time_zone) + sizeof(out->time_zone);
        if (!out || out->struct_size < needed || index >= hooks.size()) return TG_DROP;
        out->name = hooks[index].name.c_str();
        out->default_cron = hooks[index].default_cron.c_str();
        out->time_zone = hooks[index].time_zone.c_str();
        return TG_OK;
    }
    static tg_status run_hook(void* instance, const tg_hook_run* r, tg_error_buf* error) noexcept {
        return guarded(error, [&] {
            HookRun run{view(r->name), r->scheduled_unix_ms, (r->flags & TG_FLAG_DRY_RUN) != 0};
            static_cast<Instance*>(instance)->sink->run_hook(run);
            return TG_OK;
        });
    }
    static tg_status check(void* instance, tg_error_buf* error) noexcept {
        return guarded(error, [&] {
            if (static_cast<Instance*>(instance)->sink->check()) return TG_OK;
            throw Drop("configuration check failed");
        });
    }
    static uint32_t group_label_count(void* instance) noexcept {
        return static_cast<uint32_t>(static_cast<Instance*>(instance)->group_labels.size());
    }
    static const char* group_label_get(void* instance, uint32_t index) noexcept {
        const auto& labels = static_cast<Instance*>(instance)->group_labels;
        return index < labels.size() ? labels[index].c_str() : nullptr;
    }
    static tg_status probe(void* instance, tg_error_buf* error) noexcept {
        return guarded(error, [&] {
            static_cast<Instance*>(instance)->sink->probe();
            return TG_OK;
        });
    }
};

}  // namespace detail
}  // namespace tg

// Exports SinkClass (constructible from const tg::SinkContext&) as this plugin's sink.
#define TG_SINK_PLUGIN(SinkClass, name, version)                          \
    extern "C" TG_SINK_EXPORT const tg_sink_plugin* tg_sink_entry(void) { \
        using tg_adapter_ = ::tg::detail::Adapter<SinkClass>;             \
        static const tg_sink_plugin plugin = {                            \
            sizeof(tg_sink_plugin),                                       \
            TG_SINK_ABI_MAJOR,                                            \
            TG_SINK_ABI_MINOR,                                            \
            name,                                                         \
            version,                                                      \
            &tg_adapter_::create,                                         \
            &tg_adapter_::destroy,                                        \
            &tg_adapter_::deliver,                                        \
            &tg_adapter_::hook_count,                                     \
            &tg_adapter_::hook_get,                                       \
            &tg_adapter_::run_hook,                                       \
            &tg_adapter_::check,                                          \
            tg_adapter_::has_probe ? &tg_adapter_::probe : nullptr,       \
            &tg_adapter_::group_label_count,                              \
            &tg_adapter_::group_label_get};                               \
        return &plugin;                                                   \
    }
