// The webhook's authentication as an operator writes it, in the routing file (server.auth) or in
// the WEBHOOK_* variables, resolved by one set of rules: one scheme, a secret inline or in a
// file but not both, files read once, and no secret in any message.
#pragma once

#include "config/env.hpp"
#include "config/routing_config.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace tg::host {

// One setting's text and where it was written, for messages.
struct SettingText {
    std::string value;
    std::string name;  // "server.auth.bearer_token" or "WEBHOOK_BEARER_TOKEN"
    int line = 0;      // in the routing file; 0 for a variable
};

// What is wrong, and with which setting (never the secret itself).
struct SettingError : std::runtime_error {
    SettingError(std::string name_, int line_, const std::string& problem_)
        : std::runtime_error(name_ + ": " + problem_),
          name(std::move(name_)),
          line(line_),
          problem(problem_) {}
    std::string name;
    int line;
    std::string problem;
};

struct WebhookAuthSource {
    std::optional<SettingText> bearer_token;
    std::optional<SettingText> bearer_token_file;
    std::optional<SettingText> basic_username;
    std::optional<SettingText> basic_password;
    std::optional<SettingText> basic_password_file;
};

// Throws SettingError.
WebhookAuth resolve_webhook_auth(const WebhookAuthSource& source);

// WEBHOOK_BEARER_TOKEN[_FILE], WEBHOOK_BASIC_USERNAME, WEBHOOK_BASIC_PASSWORD[_FILE].
WebhookAuthSource webhook_auth_from_env(const Environment& env);

}  // namespace tg::host
