// fault_sink: a deliberately bad sink for the fault tests, on the raw C ABI (no SDK wrapper, so
// it can break the rules the wrapper enforces).
//
// Config: {"mode": "ok" | "block" | "throw" | "garbage", "block_seconds": N}
//   ok:      deliver succeeds at once, without reading the payload (intake tests)
//   block:   deliver sleeps N seconds (default 3600), then succeeds
//   throw:   deliver lets a C++ exception escape through the C ABI (a contract violation)
//   garbage: deliver returns an undefined tg_status and fills the error buffer without a NUL
#include <tickets_grouping/sink_abi.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

struct Instance {
    std::string mode;
    int block_seconds = 3600;
};

// Just enough JSON for {"mode":"...","block_seconds":N}.
std::string string_member(const std::string& json, const std::string& key) {
    const auto at = json.find("\"" + key + "\"");
    if (at == std::string::npos) return "";
    const auto open = json.find('"', json.find(':', at) + 1);
    return json.substr(open + 1, json.find('"', open + 1) - open - 1);
}

tg_status create(const tg_sink_create_args* args, void** instance, tg_error_buf* error) {
    const std::string config(args->config_json.data, args->config_json.size);
    auto* self = new Instance;
    self->mode = string_member(config, "mode");
    const auto at = config.find("\"block_seconds\"");
    if (at != std::string::npos)
        self->block_seconds = std::stoi(config.substr(config.find(':', at) + 1));
    if (self->mode != "ok" && self->mode != "block" && self->mode != "throw" &&
        self->mode != "garbage") {
        std::snprintf(error->data, error->capacity, "fault_sink: unknown mode '%s'",
                      self->mode.c_str());
        delete self;
        return TG_DROP;
    }
    *instance = self;
    return TG_OK;
}

void destroy(void* instance) { delete static_cast<Instance*>(instance); }

tg_status deliver(void* instance, const tg_delivery*, tg_error_buf* error) {
    auto* self = static_cast<Instance*>(instance);
    if (self->mode == "ok") return TG_OK;
    if (self->mode == "block") {
        std::this_thread::sleep_for(std::chrono::seconds(self->block_seconds));
        return TG_OK;
    }
    if (self->mode == "throw") throw std::runtime_error("fault_sink: thrown through the C ABI");
    std::memset(error->data, 'G', error->capacity);  // no terminating NUL
    return static_cast<tg_status>(77);
}

const tg_sink_plugin plugin = {sizeof(tg_sink_plugin),
                               TG_SINK_ABI_MAJOR,
                               TG_SINK_ABI_MINOR,
                               "fault_sink",
                               "1.0.0",
                               &create,
                               &destroy,
                               &deliver,
                               nullptr,
                               nullptr,
                               nullptr,
                               nullptr};

}  // namespace

extern "C" TG_SINK_EXPORT const tg_sink_plugin* tg_sink_entry(void) { return &plugin; }
