#include "intake/route_notification.hpp"

#include "config/route_matcher.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <map>

namespace tg::host {

std::string idempotency_key(const std::string& sink, const std::string& payload) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(sink);
    sha.update('\n');
    sha.update(payload);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

std::vector<NewDelivery> route_notification(const Notification& notification, const Route& root) {
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
        NewDelivery delivery;
        delivery.sink = sink;
        for (const auto& path : target.routes)
            delivery.route += (delivery.route.empty() ? "" : ",") + path;
        delivery.payload = serialize_subset(notification, target.alerts);
        delivery.idempotency_key = idempotency_key(sink, delivery.payload);
        deliveries.push_back(std::move(delivery));
    }
    return deliveries;
}

}  // namespace tg::host
