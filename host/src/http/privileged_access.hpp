// Who may do what the webhook's senders may not need: reload the configuration, read the
// details of failures, and any admin request to come. One rule, in one place: the webhook's
// credentials when auth is configured; without auth, loopback clients only.
#pragma once

#include "config/routing_config.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/IPAddress.h>

#include <string>

namespace tg::host {

enum class Access {
    granted,
    unauthorized,  // auth is configured and the request lacks the credentials: 401
    forbidden,     // no auth configured and the client is not on loopback: 403
};

Access privileged_access(const WebhookAuth& auth, const Poco::Net::HTTPServerRequest& request);
// The same rule on a request's Authorization header and client address.
Access privileged_access(const WebhookAuth& auth, const std::string& authorization,
                         const Poco::Net::IPAddress& client);

// 127.0.0.0/8, ::1, and IPv4-mapped 127.x (a dual-stack listener).
bool is_loopback(const Poco::Net::IPAddress& address);

// The warning for a listener that others can reach while no auth is configured, or "".
std::string unauthenticated_exposure(const std::string& listen, const WebhookAuth& auth);

}  // namespace tg::host
