#include "config/routing_config.hpp"

namespace tg::host {

const SinkConfig* RoutingConfig::find_sink(const std::string& name) const {
    for (const SinkConfig& s : sinks) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

}  // namespace tg::host
