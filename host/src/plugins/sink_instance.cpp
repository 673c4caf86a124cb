#include "plugins/sink_instance.hpp"

#include "plugins/plugin_loader.hpp"

#include <cstring>

namespace tg::host {
namespace {

constexpr size_t error_capacity = 4096;

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
      host_(std::move(host)) {
    services_.struct_size = sizeof(tg_host_services);
    services_.abi_major = TG_SINK_ABI_MAJOR;
    services_.abi_minor = TG_SINK_ABI_MINOR;
    services_.host_ctx = this;
    services_.log = &SinkInstance::log_thunk;
    services_.get_env = &SinkInstance::env_thunk;

    tg_sink_create_args args{};
    args.struct_size = sizeof args;
    args.instance_name = borrow(name_);
    args.config_json = borrow(config_json);
    args.state_dir = borrow(state_dir);
    args.host = &services_;
    char error[error_capacity] = "";
    tg_error_buf buffer{error, sizeof error};
    const tg_status status = plugin_->create(&args, &instance_, &buffer);
    if (status != TG_OK || !instance_)
        throw PluginError("sink '" + name_ + "' (" + plugin_path_ + "): " +
                          (error[0] ? error : "the plugin refused its configuration"));

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
    const tg_status status = plugin_->deliver(instance_, &delivery, &buffer);
    error[sizeof error - 1] = '\0';  // never trust a plugin to terminate it
    return to_result(status, error);
}

SinkCallResult SinkInstance::run_hook(const std::string& hook, int64_t scheduled_unix_ms, bool dry_run) {
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

void SinkInstance::log_thunk(void* context, tg_log_level level, tg_str message) noexcept {
    try {
        auto* self = static_cast<SinkInstance*>(context);
        if (self->host_.log)
            self->host_.log(level, self->name_,
                            std::string(message.data ? message.data : "", message.data ? message.size : 0));
    } catch (...) {
    }
}

size_t SinkInstance::env_thunk(void* context, tg_str name, char* buffer, size_t capacity) noexcept {
    try {
        auto* self = static_cast<SinkInstance*>(context);
        std::string value;
        if (!self->host_.get_env ||
            !self->host_.get_env(std::string(name.data ? name.data : "", name.data ? name.size : 0), value))
            return TG_ENV_UNSET;
        if (buffer) std::memcpy(buffer, value.data(), std::min(capacity, value.size()));
        return value.size();
    } catch (...) {
        return TG_ENV_UNSET;
    }
}

}  // namespace tg::host
