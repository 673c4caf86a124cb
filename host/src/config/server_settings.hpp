// The settings under `server:` that take one value each, declared once: the routing file's key,
// the WEBHOOK_* twin an env-file deployment sets instead, and how the text is read. The routing
// file's key wins over its twin; the auth variables apply when the file has no server.auth.
#pragma once

#include "config/env.hpp"
#include "config/routing_config.hpp"

#include <string>
#include <vector>

namespace tg::host {

struct ServerSetting {
    const char* key;       // under server: in the routing file
    const char* variable;  // WEBHOOK_* twin
    const char* expected;  // "an integer", "a duration": for "expected ..., got a list"
    // Throws std::invalid_argument with the problem (the text may be quoted: it is no secret).
    void (*apply)(const std::string& text, ServerSettings& out);
};

const std::vector<ServerSetting>& server_settings();
const ServerSetting* find_server_setting(const std::string& key);

// The WEBHOOK_* variables that are set, over `out` (the defaults). Throws ConfigError naming the
// variable.
void apply_server_variables(const Environment& env, ServerSettings& out);

// Limits that depend on each other; "" or the key (of server_settings()) and the problem.
struct ServerSettingsProblem {
    std::string key;
    std::string problem;
};
ServerSettingsProblem check_server_settings(const ServerSettings& settings);
// The same, for settings that came from the variables alone: throws ConfigError naming the twin.
void check_server_variables(const ServerSettings& settings);

}  // namespace tg::host
