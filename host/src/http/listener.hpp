// The listening socket: plain TCP, or TLS 1.2+ when the routing file configures a certificate.
#pragma once

#include "config/routing_config.hpp"

#include <Poco/Net/ServerSocket.h>

#include <string>

namespace tg::host {

Poco::Net::ServerSocket open_listener(const std::string& listen, const ServerSettings& server);

}  // namespace tg::host
