// The router: turns one accepted notification into one delivery per sink its alerts reach.
#pragma once

#include "config/routing_config.hpp"
#include "spool/spool.hpp"
#include "webhook/notification.hpp"

#include <map>
#include <string>
#include <vector>

namespace tg::host {

// The delivery groups of the sinks that take deliveries of different groups at once (ABI 1.6):
// the labels whose values make a group, by sink name. A sink not named here has none.
using SinkGroups = std::map<std::string, std::vector<std::string>>;

// Each sink gets the notification restricted to its alerts; an alert reached through several
// routes of one sink goes to it once. A sink with delivery groups gets one delivery per group
// among its alerts, in the order of each group's first alert.
std::vector<NewDelivery> route_notification(const Notification& notification, const Route& root,
                                            const SinkGroups& groups = {});

// The group of an alert with these labels: each group label's value, length-prefixed so that
// no two groups share a key, and never "" (the key of a delivery without a group).
std::string group_key(const std::vector<std::string>& group_labels, const Labels& labels);

// Equal for equal content to the same sink: a resend (HA peers, repeat_interval) gets the same key.
std::string idempotency_key(const std::string& sink, const std::string& payload);

}  // namespace tg::host
