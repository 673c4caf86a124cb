#include "intake/route_notification.hpp"

#include "config/route_matcher.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <map>
#include <string_view>

namespace tg::host {

std::string idempotency_key(const std::string& sink, const std::string& payload) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(sink);
    sha.update('\n');
    sha.update(payload);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string group_key(const std::vector<std::string>& group_labels, const Labels& labels) {
    std::string key;
    for (const auto& name : group_labels) {
        const auto it = labels.find(name);
        const std::string_view value = it == labels.end() ? "" : std::string_view(it->second);
        key += std::to_string(value.size());
        key += ':';
        key += value;
    }
    return key.empty() ? "0:" : key;
}

namespace {

// The sink's alerts split by group, each group's alerts in their order.
std::vector<std::pair<std::string, std::vector<size_t>>> split_by_group(
    const Notification& notification, const std::vector<size_t>& alerts,
    const std::vector<std::string>& group_labels) {
    std::vector<std::pair<std::string, std::vector<size_t>>> groups;
    std::map<std::string, size_t> index;  // group key -> position in groups
    for (size_t alert : alerts) {
        std::string key = group_key(group_labels, notification.labels(alert));
        auto [it, inserted] = index.try_emplace(key, groups.size());
        if (inserted) groups.emplace_back(std::move(key), std::vector<size_t>{});
        groups[it->second].second.push_back(alert);
    }
    return groups;
}

}  // namespace

std::vector<NewDelivery> route_notification(const Notification& notification, const Route& root,
                                            const SinkGroups& sink_groups) {
    struct Target {
        std::vector<size_t> alerts;
        std::vector<std::string> routes;  // the matching routes' paths, for logs
    };
    std::map<std::string, Target> targets;  // by sink name
    std::vector<std::string> sink_order;
    for (size_t i = 0; i < notification.alert_count(); ++i) {
        std::vector<std::string> reached;
        for (const Route* route : match_routes(root, notification.labels(i))) {
            auto [it, inserted] = targets.try_emplace(route->sink);
            if (inserted) sink_order.push_back(route->sink);
            Target& target = it->second;
            if (std::find(reached.begin(), reached.end(), route->sink) == reached.end()) {
                reached.push_back(route->sink);
                target.alerts.push_back(i);
            }
            if (std::find(target.routes.begin(), target.routes.end(), route->path) ==
                target.routes.end())
                target.routes.push_back(route->path);
        }
    }
    std::vector<NewDelivery> deliveries;
    for (const auto& sink : sink_order) {
        const Target& target = targets[sink];
        std::string route;
        for (const auto& path : target.routes) route += (route.empty() ? "" : ",") + path;
        const auto grouped = sink_groups.find(sink);
        std::vector<std::pair<std::string, std::vector<size_t>>> parts;
        if (grouped == sink_groups.end() || grouped->second.empty())
            parts.emplace_back("", target.alerts);
        else
            parts = split_by_group(notification, target.alerts, grouped->second);
        for (auto& [key, alerts] : parts) {
            NewDelivery delivery;
            delivery.sink = sink;
            delivery.route = route;
            delivery.payload = serialize_subset(notification, alerts);
            delivery.idempotency_key = idempotency_key(sink, delivery.payload);
            delivery.group_key = std::move(key);
            deliveries.push_back(std::move(delivery));
        }
    }
    return deliveries;
}

}  // namespace tg::host
