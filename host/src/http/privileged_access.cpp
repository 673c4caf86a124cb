#include "http/privileged_access.hpp"

#include "http/webhook_auth.hpp"

#include <Poco/Net/SocketAddress.h>

namespace tg::host {

bool is_loopback(const Poco::Net::IPAddress& address) {
    if (address.isLoopback()) return true;
    if (address.family() == Poco::Net::IPAddress::IPv6 && address.isIPv4Mapped())
        return static_cast<const unsigned char*>(address.addr())[12] == 127;
    return false;
}

Access privileged_access(const WebhookAuth& auth, const Poco::Net::HTTPServerRequest& request) {
    return privileged_access(auth, request.get("Authorization", ""),
                             request.clientAddress().host());
}

Access privileged_access(const WebhookAuth& auth, const std::string& authorization,
                         const Poco::Net::IPAddress& client) {
    if (auth.enabled())
        return webhook_authorized(auth, authorization) ? Access::granted : Access::unauthorized;
    return is_loopback(client) ? Access::granted : Access::forbidden;
}

std::string unauthenticated_exposure(const std::string& listen, const WebhookAuth& auth) {
    if (auth.enabled()) return "";
    try {
        if (is_loopback(Poco::Net::SocketAddress(listen).host())) return "";
    } catch (const Poco::Exception&) {  // not an address we could listen on anyway
    }
    return "listening on " + listen +
           " without authentication: anyone who reaches the port can post alerts; set "
           "WEBHOOK_BEARER_TOKEN (or server.auth in the routing file), or listen on loopback";
}

}  // namespace tg::host
