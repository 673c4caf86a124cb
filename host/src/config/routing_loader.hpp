// Loads and validates the operator's routing file (YAML) into a RoutingConfig.
#pragma once

#include <string>

#include "config/config_error.hpp"
#include "config/env.hpp"
#include "config/routing_config.hpp"

namespace tg::host {

// Every problem is a ConfigError "file:line: key.path: problem" (line 1-based).
RoutingConfig load_routing_file(const std::string& path, const Environment& env);
// `file_name` is used in messages and as RoutingConfig::source_file.
RoutingConfig load_routing_text(const std::string& text, const std::string& file_name,
                                const Environment& env);

}  // namespace tg::host
