// The HTTP server's settings: its TLS context (TLS 1.2+, ECDHE with AEAD only) and Poco's server
// parameters (threads, queue, keep-alive, timeouts).
#pragma once

#include "config/routing_config.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>

namespace tg::host {

// Throws UsageError when the certificate or key cannot be loaded (naming `listen`).
Poco::Net::Context::Ptr tls_context(const TlsSettings& tls, const std::string& listen);

// Shared by the host and the benchmark's no-spool ceiling so that both serve HTTP alike.
Poco::Net::HTTPServerParams::Ptr server_params(const ServerSettings& server);

}  // namespace tg::host
