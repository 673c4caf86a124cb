// The router: turns one accepted notification into one delivery per sink its alerts reach.
#pragma once

#include "config/routing_config.hpp"
#include "spool/spool.hpp"
#include "webhook/notification.hpp"

#include <string>
#include <vector>

namespace tg::host {

// Each sink gets the notification restricted to its alerts; an alert reached through several
// routes of one sink goes to it once.
std::vector<NewDelivery> route_notification(const Notification& notification, const Route& root);

// Equal for equal content to the same sink: a resend (HA peers, repeat_interval) gets the same key.
std::string idempotency_key(const std::string& sink, const std::string& payload);

}  // namespace tg::host
