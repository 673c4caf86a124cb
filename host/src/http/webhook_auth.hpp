// Checks the Authorization header Alertmanager's http_config sends (bearer or basic).
#pragma once

#include "config/routing_config.hpp"

#include <string>

namespace tg::host {

// True when auth is off, or the header carries the configured credentials. Compared in constant
// time, so the time taken tells nothing about how much of a guess was right.
bool webhook_authorized(const WebhookAuth& auth, const std::string& authorization_header);

}  // namespace tg::host
