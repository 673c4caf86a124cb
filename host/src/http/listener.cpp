#include "http/listener.hpp"

#include "app/options.hpp"
#include "http/deferred_accept.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>

#include <chrono>

namespace tg::host {

Poco::Net::ServerSocket open_listener(const std::string& listen, const ServerSettings& server) {
    Poco::Net::SocketAddress address;
    try {
        address = Poco::Net::SocketAddress(listen);
    } catch (const Poco::Exception& e) {
        throw UsageError("cannot listen on '" + listen + "': " + e.displayText() +
                         " (use ADDR:PORT)");
    }
    constexpr int backlog = 256;
    // Plain HTTP: idle connections wait without a thread (see deferred_accept.hpp).
    if (!server.tls) return DeferredServerSocket(address, backlog, server.read_timeout);
    Poco::Net::initializeSSL();
    try {
        Poco::Net::Context::Ptr context = new Poco::Net::Context(
            Poco::Net::Context::TLS_SERVER_USE, server.tls->key_file, server.tls->cert_file, "",
            Poco::Net::Context::VERIFY_NONE, 9, false, "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES");
        context->disableProtocols(
            Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
            Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        return Poco::Net::SecureServerSocket(address, backlog, context);
    } catch (const Poco::Exception& e) {
        throw UsageError("cannot set up TLS on " + listen + ": " + e.displayText());
    }
}

Poco::Net::HTTPServerParams::Ptr server_params(const ServerSettings& server) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    // Poco holds a pool thread for each keep-alive connection: size the pool for the clients
    // (Alertmanager peers, Prometheus, probes) and let idle connections go quickly.
    params->setMaxThreads(server.max_threads);
    params->setMaxQueued(server.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setMaxKeepAliveRequests(1000);
    // A client that trickles its body is cut off (see also WebhookHandler's body deadline).
    params->setTimeout(Poco::Timespan(
        std::chrono::duration_cast<std::chrono::microseconds>(server.read_timeout).count()));
    return params;
}

}  // namespace tg::host
