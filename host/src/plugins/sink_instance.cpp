#include "plugins/sink_instance.hpp"

#include "plugins/plugin_loader.hpp"

#include <tickets_grouping/sink.hpp>  // tg::view: a borrowed tg_str as a string_view

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tg::host {
namespace {

constexpr size_t error_capacity = 4096;
constexpr size_t max_metric_series = 1000;  // per instance: a sink cannot flood /metrics
constexpr size_t max_metric_name = 100;
constexpr size_t max_label_value = 128;
constexpr size_t max_links = 20;  // per delivery: what a status page can show of one
constexpr size_t max_link_url = 2000;
constexpr size_t max_link_label = 200;

bool metric_identifier(std::string_view s) {
    if (s.empty() || s.size() > max_metric_name) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

// "k=v,k2=v2" → pairs; returns why it is refused, or "".
std::string parse_metric_labels(std::string_view text,
                                std::vector<std::pair<std::string, std::string>>& labels) {
    if (text.empty()) return "";
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view pair = text.substr(start, comma - start);
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos)
            return "label '" + std::string(pair) + "' is not key=value";
        const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
        if (!metric_identifier(key) || key.substr(0, 2) == "__" || key == "sink" || key == "le")
            return "label name '" + std::string(key) + "' is not allowed";
        if (value.size() > max_label_value || value.find('=') != std::string_view::npos)
            return "label value of '" + std::string(key) + "' is too long or holds '='";
        for (char c : value)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                return "label value of '" + std::string(key) + "' holds a control character";
        for (const auto& [k, v] : labels)
            if (k == key) return "label '" + std::string(key) + "' is given twice";
        labels.emplace_back(key, value);
        start = comma + 1;
    }
    return "";
}

tg_str borrow(const std::string& s) { return tg_str{s.data(), s.size()}; }

SinkCallResult to_result(tg_status status, const char* error) {
    SinkCallResult result;
    // A plugin returning a value outside the enum is treated as a transient failure.
    result.status = (status == TG_OK || status == TG_RETRY_LATER || status == TG_DROP)
                        ? status
                        : TG_RETRY_LATER;
    if (result.status != TG_OK) {
        result.error = error[0] ? error : "the sink gave no reason";
        if (result.status != status)
            result.error = "the sink returned an unknown status " + std::to_string(status);
    }
    return result;
}

}  // namespace

SinkInstance::SinkInstance(const tg_sink_plugin* plugin, std::string plugin_path, std::string name,
                           const std::string& config_json, const std::string& state_dir,
                           SinkHostContext host)
    : plugin_(plugin),
      plugin_path_(std::move(plugin_path)),
      name_(std::move(name)),
      host_(std::move(host)),
      routes_here_(std::make_shared<const RoutesHere>(std::move(host_.routes_here))) {
    host_.routes_here = nullptr;  // routes_here_ is the one in effect (set_routes_here)
    services_.struct_size = sizeof(tg_host_services);
    services_.abi_major = TG_SINK_ABI_MAJOR;
    services_.abi_minor = TG_SINK_ABI_MINOR;
    services_.host_ctx = this;
    services_.log = &SinkInstance::log_thunk;
    services_.get_env = &SinkInstance::env_thunk;
    services_.metric_add = &SinkInstance::metric_add_thunk;
    services_.metric_observe = &SinkInstance::metric_observe_thunk;
    services_.report_link = &SinkInstance::report_link_thunk;
    services_.routes_here = &SinkInstance::routes_here_thunk;

    tg_sink_create_args args{};
    args.struct_size = sizeof args;
    args.instance_name = borrow(name_);
    args.config_json = borrow(config_json);
    args.state_dir = borrow(state_dir);
    args.host = &services_;
    args.shared_store = borrow(host_.shared_store);
    char error[error_capacity] = "";
    tg_error_buf buffer{error, sizeof error};
    const tg_status status = plugin_->create(&args, &instance_, &buffer);
    if (status != TG_OK || !instance_)
        throw PluginError("sink '" + name_ + "' (" + plugin_path_ +
                          "): " + (error[0] ? error : "the plugin refused its configuration"));

    if (plugin_->hook_count && plugin_->hook_get) {
        const uint32_t count = plugin_->hook_count(instance_);
        for (uint32_t i = 0; i < count; ++i) {
            tg_hook_decl decl{};
            decl.struct_size = sizeof decl;
            if (plugin_->hook_get(instance_, i, &decl) != TG_OK || !decl.name) continue;
            hooks_.push_back({decl.name, decl.default_cron ? decl.default_cron : "",
                              decl.time_zone ? decl.time_zone : ""});
        }
    }
    read_group_labels();
}

void SinkInstance::read_group_labels() {
    // An older plugin's table ends before the fields: what lies behind it is not ours to read.
    if (plugin_->struct_size <
            offsetof(tg_sink_plugin, group_label_get) + sizeof plugin_->group_label_get ||
        !plugin_->group_label_count || !plugin_->group_label_get)
        return;
    const uint32_t count = plugin_->group_label_count(instance_);
    for (uint32_t i = 0; i < count; ++i) {
        const char* label = plugin_->group_label_get(instance_, i);
        if (label && *label) group_labels_.emplace_back(label);
    }
}

SinkInstance::~SinkInstance() {
    if (instance_) plugin_->destroy(instance_);
}

SinkCallResult SinkInstance::deliver(const std::string& payload, const std::string& idempotency_key,
                                     const std::string& route, uint32_t attempt, bool dry_run) {
    tg_delivery delivery{};
    delivery.struct_size = sizeof delivery;
    delivery.notification_json = borrow(payload);
    delivery.idempotency_key = borrow(idempotency_key);
    delivery.route = borrow(route);
    delivery.flags = dry_run ? TG_FLAG_DRY_RUN : 0u;
    delivery.attempt = attempt;
    char error[error_capacity] = "";
    tg_error_buf buffer{error, sizeof error};
    tg_status status;
    const auto thread = std::this_thread::get_id();
    if (!dry_run) {  // links are taken during a real delivery only: a dry run touches nothing
        std::lock_guard lock(links_mutex_);
        links_[thread].clear();
    }
    auto take_links = [this, thread] {
        std::lock_guard lock(links_mutex_);
        auto it = links_.find(thread);
        if (it == links_.end()) return std::vector<SinkLink>{};
        std::vector<SinkLink> links = std::move(it->second);
        links_.erase(it);
        return links;
    };
    try {
        status = plugin_->deliver(instance_, &delivery, &buffer);
    } catch (...) {  // the ABI forbids it; a buggy C++ plugin must not take the dispatcher down
        take_links();
        return {TG_RETRY_LATER,
                "the sink let an exception escape its deliver (a bug in the plugin)",
                {}};
    }
    error[sizeof error - 1] = '\0';  // never trust a plugin to terminate it
    auto result = to_result(status, error);
    result.links = take_links();
    return result;
}

SinkCallResult SinkInstance::run_hook(const std::string& hook, int64_t scheduled_unix_ms,
                                      bool dry_run) {
    if (!plugin_->run_hook) return {TG_DROP, "sink '" + name_ + "' has no hooks"};
    tg_hook_run run{};
    run.struct_size = sizeof run;
    run.name = borrow(hook);
    run.scheduled_unix_ms = scheduled_unix_ms;
    run.flags = dry_run ? TG_FLAG_DRY_RUN : 0u;
    char error[error_capacity] = "";
    tg_error_buf buffer{error, sizeof error};
    const tg_status status = plugin_->run_hook(instance_, &run, &buffer);
    error[sizeof error - 1] = '\0';
    return to_result(status, error);
}

SinkCallResult SinkInstance::check() {
    if (!plugin_->check) return {};
    char error[error_capacity] = "";
    tg_error_buf buffer{error, sizeof error};
    const tg_status status = plugin_->check(instance_, &buffer);
    error[sizeof error - 1] = '\0';
    return to_result(status, error);
}

std::optional<SinkCallResult> SinkInstance::probe() {
    // An older plugin's table ends before the field: what lies behind it is not ours to read.
    if (plugin_->struct_size < offsetof(tg_sink_plugin, probe) + sizeof plugin_->probe ||
        !plugin_->probe)
        return std::nullopt;
    char error[error_capacity] = "";
    tg_error_buf buffer{error, sizeof error};
    tg_status status;
    try {
        status = plugin_->probe(instance_, &buffer);
    } catch (...) {
        return SinkCallResult{TG_RETRY_LATER,
                              "the sink let an exception escape its probe (a bug in the plugin)"};
    }
    error[sizeof error - 1] = '\0';
    return to_result(status, error);
}

void SinkInstance::log_thunk(void* context, tg_log_level level, tg_str message) noexcept {
    try {
        auto* self = static_cast<SinkInstance*>(context);
        const std::string text(tg::view(message));
        if (self->host_.log) self->host_.log(level, self->name_, text);
        // What the sink says it would do ("dry run: ..."), and its warnings and errors; not its
        // chatter (each request it made). Without a transcript (every delivery but a command's)
        // no lock is taken.
        const bool telling = text.starts_with("dry run") || level >= TG_LOG_WARN;
        if (!telling || !self->transcribing_.load(std::memory_order_acquire)) return;
        std::lock_guard lock(self->transcript_mutex_);
        if (self->transcript_ && self->transcript_->size() < 10000)
            self->transcript_->push_back(
                level >= TG_LOG_WARN
                    ? std::string(level == TG_LOG_WARN ? "warning: " : "error: ") + text
                    : text);
    } catch (...) {
    }
}

SinkInstance::Transcript::Transcript(SinkInstance& sink) : sink_(sink) {
    std::lock_guard lock(sink_.transcript_mutex_);
    sink_.transcript_.emplace();
    sink_.transcribing_.store(true, std::memory_order_release);
}

SinkInstance::Transcript::~Transcript() {
    std::lock_guard lock(sink_.transcript_mutex_);
    sink_.transcribing_.store(false, std::memory_order_release);
    sink_.transcript_.reset();
}

std::vector<std::string> SinkInstance::Transcript::lines() const {
    std::lock_guard lock(sink_.transcript_mutex_);
    return sink_.transcript_ ? *sink_.transcript_ : std::vector<std::string>{};
}

size_t SinkInstance::env_thunk(void* context, tg_str name, char* buffer, size_t capacity) noexcept {
    try {
        auto* self = static_cast<SinkInstance*>(context);
        std::string value;
        if (!self->host_.get_env || !self->host_.get_env(std::string(tg::view(name)), value))
            return TG_ENV_UNSET;
        if (buffer) std::memcpy(buffer, value.data(), std::min(capacity, value.size()));
        return value.size();
    } catch (...) {
        return TG_ENV_UNSET;
    }
}

void SinkInstance::metric_add_thunk(void* context, tg_str name, tg_str labels,
                                    double value) noexcept {
    try {
        static_cast<SinkInstance*>(context)->metric(SinkHostContext::MetricKind::counter,
                                                    tg::view(name), tg::view(labels), value);
    } catch (...) {
    }
}

void SinkInstance::metric_observe_thunk(void* context, tg_str name, tg_str labels,
                                        double value) noexcept {
    try {
        static_cast<SinkInstance*>(context)->metric(SinkHostContext::MetricKind::histogram,
                                                    tg::view(name), tg::view(labels), value);
    } catch (...) {
    }
}

void SinkInstance::report_link_thunk(void* context, tg_str url, tg_str label) noexcept {
    try {
        auto* self = static_cast<SinkInstance*>(context);
        const std::string_view u = tg::view(url);
        // Only web links: the page puts them in an href, where javascript: would run.
        if (u.size() > max_link_url || !(u.starts_with("https://") || u.starts_with("http://")))
            return;
        const std::string_view whole = tg::view(label);
        size_t n = std::min(whole.size(), max_link_label);
        // Cut at a character boundary: the page shows it as UTF-8.
        while (n > 0 && n < whole.size() && (static_cast<unsigned char>(whole[n]) & 0xC0) == 0x80)
            --n;
        std::string text(whole.substr(0, n));
        std::lock_guard lock(self->links_mutex_);
        auto it = self->links_.find(std::this_thread::get_id());
        if (it != self->links_.end() && it->second.size() < max_links)
            it->second.push_back({std::string(u), std::move(text)});
    } catch (...) {
    }
}

void SinkInstance::set_routes_here(RoutesHere routes_here) {
    auto next = std::make_shared<const RoutesHere>(std::move(routes_here));
    std::lock_guard lock(routes_mutex_);
    routes_here_ = std::move(next);
}

int SinkInstance::routes_here_thunk(void* context, const tg_label* labels, size_t count) noexcept {
    if (!labels && count > 0) return -1;
    try {
        auto* self = static_cast<SinkInstance*>(context);
        std::map<std::string, std::string> alert;
        for (size_t i = 0; i < count; ++i) {
            const std::string_view name = tg::view(labels[i].name);
            if (name.empty()) return -1;
            alert[std::string(name)] = std::string(tg::view(labels[i].value));
        }
        std::shared_ptr<const RoutesHere> routes;
        {
            std::lock_guard lock(self->routes_mutex_);
            routes = self->routes_here_;
        }
        return routes && *routes && (*routes)(alert) ? 1 : 0;
    } catch (...) {  // out of memory: not routed here, the answer that makes a sink do nothing
        return 0;
    }
}

void SinkInstance::metric(SinkHostContext::MetricKind kind, std::string_view name,
                          std::string_view labels, double value) {
    if (!host_.metric) return;
    std::vector<std::pair<std::string, std::string>> pairs{{"sink", name_}};
    std::string problem;
    if (!metric_identifier(name))
        problem = "metric name is not [a-zA-Z_][a-zA-Z0-9_]* of at most 100 bytes";
    else
        problem = parse_metric_labels(labels, pairs);
    if (problem.empty() && !std::isfinite(value)) problem = "value is not finite";
    if (problem.empty() && kind == SinkHostContext::MetricKind::counter && value < 0)
        problem = "a counter cannot decrease";
    const std::string full = "tickets_grouping_sink_" + std::string(name);
    std::lock_guard lock(metrics_mutex_);
    if (problem.empty()) {
        const std::string series = full + "{" + std::string(labels) + "}";
        if (!metric_series_.count(series)) {
            if (metric_series_.size() >= max_metric_series)
                problem =
                    "more than " + std::to_string(max_metric_series) + " series from this sink";
            else
                metric_series_.insert(series);
        }
    }
    if (problem.empty() && !host_.metric(kind, full, pairs, value))
        problem = "the name is already used by a metric of another type";
    if (problem.empty()) return;
    const std::string shown =
        metric_identifier(name) ? std::string(name) : std::string(name.substr(0, 100));
    if (metric_warned_.size() >= max_metric_series || !metric_warned_.insert(shown).second ||
        !host_.log)
        return;
    host_.log(TG_LOG_WARN, name_,
              "metric '" + shown + "' dropped: " + problem +
                  " (further problems with it are not logged)");
}

}  // namespace tg::host
