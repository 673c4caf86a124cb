// redmine_test_support.hpp's Host (captured log, env map, metrics) and SinkHandle: the sink
// behind its C ABI (plugin.cpp's tg_sink_entry).
#include "redmine_test_support.hpp"

#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

extern "C" const tg_sink_plugin* tg_sink_entry(void);

namespace rgtest {

namespace {
void host_log(void* ctx, tg_log_level level, tg_str message) {
    auto* host = static_cast<Host*>(ctx);
    std::lock_guard lock(host->mutex);
    host->lines.emplace_back(level, std::string(tg::view(message)));
}

size_t host_env(void* ctx, tg_str name, char* buffer, size_t capacity) {
    auto& env = static_cast<Host*>(ctx)->env;
    auto it = env.find(std::string(tg::view(name)));
    if (it == env.end()) return TG_ENV_UNSET;
    std::memcpy(buffer, it->second.data(), std::min(capacity, it->second.size()));
    return it->second.size();
}

}  // namespace

Host::Host() {
    for (const char* name : {"REDMINE_URL", "REDMINE_API_KEY", "REDMINE_TRACKER_ID",
                             "REDMINE_STATUS_DONE", "REDMINE_STATUS_CARRYOVER"}) {
        auto it = redmine_env().vars.find(name);
        if (it != redmine_env().vars.end()) env[name] = it->second;
    }
    env["REDMINE_API_KEY"] = sink_api_key();
    services.struct_size = sizeof(tg_host_services);
    services.abi_major = TG_SINK_ABI_MAJOR;
    services.abi_minor = TG_SINK_ABI_MINOR;
    services.host_ctx = this;
    services.log = &host_log;
    services.get_env = &host_env;
    services.metric_add = [](void* ctx, tg_str name, tg_str labels, double value) {
        auto* host = static_cast<Host*>(ctx);
        std::lock_guard lock(host->mutex);
        host->metrics[std::string(tg::view(name)) + "{" + std::string(tg::view(labels)) + "}"] +=
            value;
    };
}

bool Host::logged(const std::string& part) const { return count_logged(part) > 0; }

int Host::count_logged(const std::string& part) const {
    int n = 0;
    for (const auto& [level, line] : lines)
        if (line.find(part) != std::string::npos) ++n;
    return n;
}

std::string Host::all_lines() const {
    std::string out;
    for (const auto& [level, line] : lines) out += line + "\n";
    return out;
}

SinkHandle::SinkHandle(Host& host, const std::string& config_json, const std::string& state_dir,
                       const std::string& shared_store)
    : plugin_(tg_sink_entry()) {
    tg_sink_create_args args{
        sizeof(tg_sink_create_args), tg::borrow("redmine"), tg::borrow(config_json),
        tg::borrow(state_dir),       &host.services,        tg::borrow(shared_store)};
    char buffer[2048] = {};
    tg_error_buf error{buffer, sizeof buffer};
    const tg_status status = plugin_->create(&args, &instance_, &error);
    INFO("create: " << buffer);
    REQUIRE(status == TG_OK);
}

SinkHandle::~SinkHandle() {
    if (instance_) plugin_->destroy(instance_);
}

tg_status SinkHandle::deliver(const std::string& json, const std::string& key, bool dry_run) {
    tg_delivery d{sizeof(tg_delivery),
                  tg::borrow(json),
                  tg::borrow(key),
                  tg::borrow("test"),
                  dry_run ? TG_FLAG_DRY_RUN : 0u,
                  1};
    char buffer[4096] = {};
    tg_error_buf error{buffer, sizeof buffer};
    const tg_status status = plugin_->deliver(instance_, &d, &error);
    error_ = buffer;
    return status;
}

tg_status SinkHandle::deliver(const std::string& json, const std::string& key,
                              std::string& error) const {
    tg_delivery d{
        sizeof(tg_delivery), tg::borrow(json), tg::borrow(key), tg::borrow("test"), 0u, 1};
    char buffer[4096] = {};
    tg_error_buf error_buf{buffer, sizeof buffer};
    const tg_status status = plugin_->deliver(instance_, &d, &error_buf);
    error = buffer;
    return status;
}

tg_status SinkHandle::run_hook(const std::string& name, bool dry_run) {
    tg_hook_run run{sizeof(tg_hook_run), tg::borrow(name), 0, dry_run ? TG_FLAG_DRY_RUN : 0u};
    char buffer[4096] = {};
    tg_error_buf error{buffer, sizeof buffer};
    const tg_status status = plugin_->run_hook(instance_, &run, &error);
    error_ = buffer;
    return status;
}

tg::redmine::RedmineSink& SinkHandle::sink() {
    auto* holder = static_cast<tg::detail::Instance*>(instance_);
    auto* sink = dynamic_cast<tg::redmine::RedmineSink*>(holder->sink.get());
    REQUIRE(sink);
    return *sink;
}

void deliver_ok(SinkHandle& sink, const std::string& json, const std::string& key, bool dry_run) {
    const tg_status status = sink.deliver(json, key, dry_run);
    INFO("delivery " << key << ": " << sink.error());
    REQUIRE(status == TG_OK);
}

}  // namespace rgtest
