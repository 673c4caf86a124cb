// The listening socket: plain TCP, or TLS 1.2+ when the routing file configures a certificate.
#pragma once

#include "config/routing_config.hpp"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>

#include <string>

namespace tg::host {

Poco::Net::ServerSocket open_listener(const std::string& listen, const ServerSettings& server);

// The HTTP server's limits (threads, queue, keep-alive, timeouts), shared by the host and the
// benchmark's no-spool ceiling so that both serve HTTP alike.
Poco::Net::HTTPServerParams::Ptr server_params(const ServerSettings& server);

}  // namespace tg::host
