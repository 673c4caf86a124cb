// fault_sink: a deliberately bad sink for the fault tests, on the raw C ABI (no SDK wrapper, so
// it can break the rules the wrapper enforces).
//
// Config: {"mode": "ok" | "block" | "throw" | "garbage" | "crash_on", "block_seconds": N,
//          "marker": "...", "gate": "/path", "calls": "/path"}
//   ok:       deliver succeeds at once, without reading the payload (intake tests)
//   block:    deliver sleeps N seconds (default 3600), then succeeds
//   throw:    deliver lets a C++ exception escape through the C ABI (a contract violation)
//   garbage:  deliver returns an undefined tg_status and fills the error buffer without a NUL
//   crash_on: a notification holding `marker` kills the process (abort) once the file `gate`
//             exists (the test decides when); others succeed
//   retry_on: a notification holding `marker` is refused with TG_RETRY_LATER; others succeed.
//             Its probe (ABI 1.3) answers as "probe" says: "ok" or "retry"
//   hang:     deliver waits until the plugin is unloaded or the process exits (its static
//             objects are destroyed), then returns TG_OK: a call still in flight at shutdown
// With "calls", every deliver appends a line to that file first: "<attempt> marker|other", and
// every probe "probe".
// With "lock": "state_dir", the instance holds an exclusive lock on its state directory from
// create to destroy, and create fails while another instance holds it: the ABI says an instance
// owns its state_dir alone, and a host that breaks that (two live instances) is seen.
// With FAULT_SINK_ABI_MINOR=2 in the environment the table is a 1.2 plugin's: its struct_size
// ends before `probe`, though the field behind it holds a pointer (a host must not read it).
#include <tickets_grouping/sink_abi.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace {

struct Instance {
    std::string mode;
    int block_seconds = 3600;
    std::string marker, gate, calls, probe;
    int state_lock = -1;  // flock()ed file in the state directory, with "lock": "state_dir"
    ~Instance() {
        if (state_lock >= 0) ::close(state_lock);
    }
};

// What "hang" waits on: released when the static objects are destroyed (exit or unload). The
// destructor then gives the released call time to run back into the host.
struct Hang {
    std::mutex mutex;
    std::condition_variable cv;
    bool released = false;
    ~Hang() {
        {
            std::lock_guard lock(mutex);
            released = true;
        }
        cv.notify_all();
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
};
Hang hang;

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
    self->marker = string_member(config, "marker");
    self->gate = string_member(config, "gate");
    self->calls = string_member(config, "calls");
    self->probe = string_member(config, "probe");
    const auto at = config.find("\"block_seconds\"");
    if (at != std::string::npos)
        self->block_seconds = std::stoi(config.substr(config.find(':', at) + 1));
    if (self->mode != "ok" && self->mode != "block" && self->mode != "throw" &&
        self->mode != "garbage" && self->mode != "crash_on" && self->mode != "retry_on" &&
        self->mode != "hang") {
        std::snprintf(error->data, error->capacity, "fault_sink: unknown mode '%s'",
                      self->mode.c_str());
        delete self;
        return TG_DROP;
    }
    if (string_member(config, "lock") == "state_dir") {
        const std::string path =
            std::string(args->state_dir.data, args->state_dir.size) + "/fault_sink.lock";
        self->state_lock = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (self->state_lock < 0 || ::flock(self->state_lock, LOCK_EX | LOCK_NB) != 0) {
            std::snprintf(error->data, error->capacity,
                          "fault_sink: the state directory is held by another instance");
            delete self;
            return TG_RETRY_LATER;
        }
    }
    *instance = self;
    return TG_OK;
}

void destroy(void* instance) { delete static_cast<Instance*>(instance); }

bool exists(const std::string& path) { return std::ifstream(path).good(); }

tg_status deliver(void* instance, const tg_delivery* delivery, tg_error_buf* error) {
    auto* self = static_cast<Instance*>(instance);
    const std::string payload(delivery->notification_json.data, delivery->notification_json.size);
    const bool marked = !self->marker.empty() && payload.find(self->marker) != std::string::npos;
    if (!self->calls.empty()) {
        std::ofstream(self->calls, std::ios::app)
            << delivery->attempt << (marked ? " marker" : " other") << std::endl;
    }
    if (self->mode == "ok") return TG_OK;
    if (self->mode == "crash_on") {
        if (!marked) return TG_OK;
        while (!exists(self->gate)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        std::abort();
    }
    if (self->mode == "retry_on") {
        if (!marked) return TG_OK;
        std::snprintf(error->data, error->capacity, "fault_sink: the target refuses %s",
                      self->marker.c_str());
        return TG_RETRY_LATER;
    }
    if (self->mode == "hang") {
        std::unique_lock lock(hang.mutex);
        hang.cv.wait(lock, [] { return hang.released; });
        return TG_OK;
    }
    if (self->mode == "block") {
        std::this_thread::sleep_for(std::chrono::seconds(self->block_seconds));
        return TG_OK;
    }
    if (self->mode == "throw") throw std::runtime_error("fault_sink: thrown through the C ABI");
    std::memset(error->data, 'G', error->capacity);  // no terminating NUL
    return static_cast<tg_status>(77);
}

tg_status probe(void* instance, tg_error_buf* error) {
    auto* self = static_cast<Instance*>(instance);
    if (!self->calls.empty()) std::ofstream(self->calls, std::ios::app) << "probe" << std::endl;
    if (self->probe == "ok") return TG_OK;
    std::snprintf(error->data, error->capacity, "fault_sink: the target is down");
    return TG_RETRY_LATER;
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
                               nullptr,
                               &probe,
                               nullptr,
                               nullptr};

// The same, as a 1.2 plugin builds it: the probe pointer lies beyond its struct_size.
const tg_sink_plugin plugin_1_2 = {offsetof(tg_sink_plugin, probe),
                                   TG_SINK_ABI_MAJOR,
                                   2,
                                   "fault_sink",
                                   "1.0.0",
                                   &create,
                                   &destroy,
                                   &deliver,
                                   nullptr,
                                   nullptr,
                                   nullptr,
                                   nullptr,
                                   &probe,
                                   nullptr,
                                   nullptr};

}  // namespace

extern "C" TG_SINK_EXPORT const tg_sink_plugin* tg_sink_entry(void) {
    const char* minor = std::getenv("FAULT_SINK_ABI_MINOR");
    return minor && std::string(minor) == "2" ? &plugin_1_2 : &plugin;
}
