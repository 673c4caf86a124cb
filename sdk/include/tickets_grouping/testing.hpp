// A fake host for a sink's unit tests, without a running tickets-grouping: it creates an instance
// through the same C table the host loads, delivers notifications, runs hooks and checks, and
// keeps what the sink logs and counts. Statuses and messages are those the host would see.
//
//     tg::testing::FakeHost host;                         // a fresh state_dir, an empty env
//     auto sink = host.create(tg_sink_entry(), R"({"dir": "/tmp/x"})");  // or create<MySink>(...)
//     REQUIRE(sink.created() == TG_OK);
//     CHECK(sink.deliver(R"({"alerts":[{"labels":{"alertname":"test"}}]})") == TG_OK);
//     CHECK(sink.run_hook("rotate", tg::testing::dry_run()) == TG_OK);
//     CHECK(host.logged("would rotate"));
//     CHECK(host.counter("lines_total") == 1);
//
// Differences from the real host: the notification is delivered as given (the host also fills
// each alert's status and fingerprint; write them when the sink reads them), the idempotency key
// is a hash of the text (the host's is a SHA-256), metric calls are recorded as made (the host
// drops invalid names and labels with a warning), and routes_here answers what the test's
// `host.routes_here` predicate says (no routing file; unset, every alert routes here).
#pragma once

#include <tickets_grouping/notification.hpp>
#include <tickets_grouping/sink.hpp>

#include <stdlib.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// What TG_SINK_PLUGIN defines: link the sink's source into the test and pass tg_sink_entry().
extern "C" TG_SINK_EXPORT const tg_sink_plugin* tg_sink_entry(void);

namespace tg::testing {

// The outcome of a call, as the host sees it: CHECK(sink.deliver(text) == TG_OK) prints both.
struct Result {
    tg_status status = TG_OK;
    std::string error;  // the sink's message when status is not TG_OK

    bool ok() const { return status == TG_OK; }
    friend bool operator==(const Result& r, tg_status s) { return r.status == s; }
    friend bool operator!=(const Result& r, tg_status s) { return r.status != s; }
    friend std::ostream& operator<<(std::ostream& out, const Result& r) {
        static const char* const names[] = {"TG_OK", "TG_RETRY_LATER", "TG_DROP"};
        const unsigned s = static_cast<unsigned>(r.status);
        out << (s < 3 ? names[s] : "status " + std::to_string(s));
        return r.error.empty() ? out : out << " (" << r.error << ")";
    }
};

// How a delivery or a hook run is made.
struct Call {
    bool dry_run = false;
    uint32_t attempt = 1;
    std::string idempotency_key;    // "" = derived from the notification text, like the host
    std::string route = "route";    // the matching route's path in the routing file
    int64_t scheduled_unix_ms = 0;  // hooks: the schedule slot, 0 = now
};
inline Call dry_run() {
    Call call;
    call.dry_run = true;
    return call;
}

struct LogLine {
    tg_log_level level;
    std::string message;
};

struct Metric {
    std::string kind;  // "counter" (metric_add) or "histogram" (metric_observe)
    std::string name, labels;
    double value;
};

class FakeHost;

// One instance of a sink, created by FakeHost::create and destroyed with this object (or by
// destroy(), as the host does before it creates a successor on the same state_dir).
class SinkInstance {
  public:
    SinkInstance(FakeHost& host, const tg_sink_plugin* plugin, std::string_view config_json);
    ~SinkInstance() { destroy(); }
    SinkInstance(const SinkInstance&) = delete;
    SinkInstance& operator=(const SinkInstance&) = delete;

    const Result& created() const { return created_; }  // what create returned

    Result deliver(std::string_view notification_json, const Call& call = {}) {
        if (!instance_) return not_created();
        tg_delivery d{};
        d.struct_size = sizeof d;
        d.notification_json = borrow(notification_json);
        const std::string key = call.idempotency_key.empty() ? key_of(call.route, notification_json)
                                                             : call.idempotency_key;
        d.idempotency_key = borrow(key);
        d.route = borrow(call.route);
        d.flags = call.dry_run ? TG_FLAG_DRY_RUN : 0u;
        d.attempt = call.attempt;
        return with_error([&](tg_error_buf* e) { return plugin_->deliver(instance_, &d, e); });
    }
    Result deliver(const Notification& notification, const Call& call = {}) {
        return deliver(nlohmann::json(notification).dump(), call);
    }

    Result run_hook(std::string_view name, const Call& call = {}) {
        if (!instance_) return not_created();
        if (!plugin_->run_hook) return {TG_DROP, "the sink has no hooks"};
        tg_hook_run run{};
        run.struct_size = sizeof run;
        run.name = borrow(name);
        run.scheduled_unix_ms = call.scheduled_unix_ms
                                    ? call.scheduled_unix_ms
                                    : std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count();
        run.flags = call.dry_run ? TG_FLAG_DRY_RUN : 0u;
        return with_error([&](tg_error_buf* e) { return plugin_->run_hook(instance_, &run, e); });
    }

    // --check-config's deeper checks (the sink reports each problem through log()).
    Result check() {
        if (!instance_) return not_created();
        if (!plugin_->check) return {};
        return with_error([&](tg_error_buf* e) { return plugin_->check(instance_, e); });
    }

    // ABI 1.3: whether the sink has a probe (it overrides tg::Sink::probe), and what it answers,
    // as the host reads it after a head kept failing (TG_OK: the target is healthy).
    bool has_probe() const {
        return plugin_->struct_size >= offsetof(tg_sink_plugin, probe) + sizeof(void*) &&
               plugin_->probe;
    }
    Result probe() {
        if (!instance_) return not_created();
        if (!has_probe()) return {TG_RETRY_LATER, "the sink has no probe"};
        return with_error([&](tg_error_buf* e) { return plugin_->probe(instance_, e); });
    }

    // ABI 1.6: the delivery groups the sink declares, read as the host reads them after create
    // (empty: one delivery at a time). A sink that declares groups must take deliver() calls of
    // different groups from several threads at once: call deliver() from threads of the test.
    std::vector<std::string> group_labels() const {
        std::vector<std::string> out;
        if (!instance_ ||
            plugin_->struct_size < offsetof(tg_sink_plugin, group_label_get) + sizeof(void*) ||
            !plugin_->group_label_count || !plugin_->group_label_get)
            return out;
        for (uint32_t i = 0, n = plugin_->group_label_count(instance_); i < n; ++i)
            if (const char* label = plugin_->group_label_get(instance_, i)) out.emplace_back(label);
        return out;
    }

    // The hooks the sink declares, read through hook_count and hook_get as the host reads them.
    std::vector<Hook> hooks() const {
        std::vector<Hook> out;
        if (!instance_ || !plugin_->hook_count || !plugin_->hook_get) return out;
        for (uint32_t i = 0, n = plugin_->hook_count(instance_); i < n; ++i) {
            tg_hook_decl decl{};
            decl.struct_size = sizeof decl;
            if (plugin_->hook_get(instance_, i, &decl) != TG_OK || !decl.name) continue;
            out.push_back({decl.name, decl.default_cron ? decl.default_cron : "",
                           decl.time_zone ? decl.time_zone : ""});
        }
        return out;
    }

    void destroy() {
        if (instance_) plugin_->destroy(instance_);
        instance_ = nullptr;
    }

  private:
    template <class F>
    static Result with_error(F&& call) {
        std::string buffer(4096, '\0');  // the host's capacity
        tg_error_buf error{buffer.data(), buffer.size()};
        const tg_status status = call(&error);
        buffer.back() = '\0';  // never trust a plugin to terminate it
        return {status, status == TG_OK ? "" : std::string(buffer.c_str())};
    }
    Result not_created() const { return {TG_DROP, "the sink was not created: " + created_.error}; }
    // FNV-1a: equal for equal content, like the host's key.
    static std::string key_of(std::string_view route, std::string_view text) {
        uint64_t hash = 14695981039346656037ULL;
        for (std::string_view part : {route, std::string_view("\n", 1), text})
            for (const unsigned char c : part) hash = (hash ^ c) * 1099511628211ULL;
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
        return hex;
    }

    const tg_sink_plugin* plugin_;
    void* instance_ = nullptr;
    Result created_;
};

class FakeHost {
  public:
    std::map<std::string, std::string> env;  // what get_env answers (env file and environment)
    std::vector<LogLine> logs;               // every log() call, in order
    std::vector<Metric> metrics;             // every metric_add and metric_observe call
    std::string instance_name = "test";
    std::string shared_store;                // "" = the host's embedded store
    uint32_t abi_minor = TG_SINK_ABI_MINOR;  // set lower to play an older 1.x host
    // What routes_here (1.5) answers for an alert's labels; unset: every alert routes here.
    std::function<bool(const std::map<std::string, std::string>&)> routes_here;

    FakeHost() {
        std::string path =
            (std::filesystem::temp_directory_path() / "tg-sink-test-XXXXXX").string();
        if (!::mkdtemp(path.data())) throw std::runtime_error("cannot create a state_dir");
        state_dir_ = path;
    }
    ~FakeHost() {
        std::error_code ignored;
        std::filesystem::remove_all(state_dir_, ignored);
    }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    // The instance's own directory (removed with the FakeHost).
    const std::string& state_dir() const { return state_dir_; }

    // An instance of the sink whose table `plugin` is (tg_sink_entry() of the sink's source).
    SinkInstance create(const tg_sink_plugin* plugin, std::string_view config_json = "{}") {
        return SinkInstance(*this, plugin, config_json);
    }
    // An instance of SinkClass, through the same adapter TG_SINK_PLUGIN exports.
    template <class SinkClass>
    SinkInstance create(std::string_view config_json = "{}") {
        return SinkInstance(*this, table_of<SinkClass>(), config_json);
    }

    bool logged(std::string_view part) const {
        for (const auto& line : logs)
            if (line.message.find(part) != std::string::npos) return true;
        return false;
    }
    // Every line as "<level> <message>\n", for a failing test's message.
    std::string log_text() const {
        static const char* const names[] = {"debug", "info", "warn", "error"};
        std::string out;
        for (const auto& line : logs)
            out += std::string(names[line.level & 3]) + " " + line.message + "\n";
        return out;
    }
    // The sum of a counter's increments, and a histogram's observations, for one label set.
    double counter(std::string_view name, std::string_view labels = "") const {
        double sum = 0;
        for (const auto& m : metrics)
            if (m.kind == "counter" && m.name == name && m.labels == labels) sum += m.value;
        return sum;
    }
    std::vector<double> observed(std::string_view name, std::string_view labels = "") const {
        std::vector<double> out;
        for (const auto& m : metrics)
            if (m.kind == "histogram" && m.name == name && m.labels == labels)
                out.push_back(m.value);
        return out;
    }

    // What a sink receives as `host` (its struct_size follows abi_minor).
    const tg_host_services* services() {
        services_.struct_size =
            static_cast<uint32_t>(abi_minor >= 5   ? sizeof services_
                                  : abi_minor == 4 ? offsetof(tg_host_services, routes_here)
                                  : abi_minor >= 1 ? offsetof(tg_host_services, report_link)
                                                   : offsetof(tg_host_services, metric_add));
        services_.abi_major = TG_SINK_ABI_MAJOR;
        services_.abi_minor = abi_minor;
        services_.host_ctx = this;
        services_.log = [](void* self, tg_log_level level, tg_str message) {
            static_cast<FakeHost*>(self)->logs.push_back({level, std::string(view(message))});
        };
        services_.get_env = [](void* self, tg_str name, char* buffer, size_t capacity) -> size_t {
            const auto& env = static_cast<FakeHost*>(self)->env;
            const auto it = env.find(std::string(view(name)));
            if (it == env.end()) return TG_ENV_UNSET;
            it->second.copy(buffer, capacity);
            return it->second.size();
        };
        services_.metric_add = [](void* self, tg_str name, tg_str labels, double value) {
            static_cast<FakeHost*>(self)->metrics.push_back(
                {"counter", std::string(view(name)), std::string(view(labels)), value});
        };
        services_.metric_observe = [](void* self, tg_str name, tg_str labels, double value) {
            static_cast<FakeHost*>(self)->metrics.push_back(
                {"histogram", std::string(view(name)), std::string(view(labels)), value});
        };
        // As the host answers: -1 for an invalid call, else whether the alert routes here.
        services_.routes_here = [](void* self, const tg_label* labels, size_t count) -> int {
            if (!labels && count > 0) return -1;
            try {
                std::map<std::string, std::string> alert;
                for (size_t i = 0; i < count; ++i) {
                    if (view(labels[i].name).empty()) return -1;
                    alert[std::string(view(labels[i].name))] = std::string(view(labels[i].value));
                }
                const auto& predicate = static_cast<FakeHost*>(self)->routes_here;
                return !predicate || predicate(alert) ? 1 : 0;
            } catch (...) {  // nothing may throw across the boundary
                return 0;
            }
        };
        return &services_;
    }

  private:
    template <class SinkClass>
    static const tg_sink_plugin* table_of() {
        using Adapter = ::tg::detail::Adapter<SinkClass>;
        static const tg_sink_plugin table = [] {
            tg_sink_plugin t{};
            t.struct_size = sizeof t;
            t.abi_major = TG_SINK_ABI_MAJOR;
            t.abi_minor = TG_SINK_ABI_MINOR;
            t.plugin_name = "sink under test";
            t.plugin_version = "0";
            t.create = &Adapter::create;
            t.destroy = &Adapter::destroy;
            t.deliver = &Adapter::deliver;
            t.hook_count = &Adapter::hook_count;
            t.hook_get = &Adapter::hook_get;
            t.run_hook = &Adapter::run_hook;
            t.check = &Adapter::check;
            t.probe = Adapter::has_probe ? &Adapter::probe : nullptr;
            t.group_label_count = &Adapter::group_label_count;
            t.group_label_get = &Adapter::group_label_get;
            return t;
        }();
        return &table;
    }

    std::string state_dir_;
    tg_host_services services_{};
};

inline SinkInstance::SinkInstance(FakeHost& host, const tg_sink_plugin* plugin,
                                  std::string_view config_json)
    : plugin_(plugin) {
    if (!plugin || !plugin->create) {
        created_ = {TG_DROP, "no plugin table"};
        return;
    }
    const std::string config(config_json);
    tg_sink_create_args args{};
    args.struct_size = static_cast<uint32_t>(
        host.abi_minor >= 2 ? sizeof args : offsetof(tg_sink_create_args, shared_store));
    args.instance_name = borrow(host.instance_name);
    args.config_json = borrow(config);
    args.state_dir = borrow(host.state_dir());
    args.host = host.services();
    args.shared_store = borrow(host.shared_store);
    created_ = with_error([&](tg_error_buf* e) { return plugin->create(&args, &instance_, e); });
    if (!created_.ok()) instance_ = nullptr;
}

}  // namespace tg::testing
