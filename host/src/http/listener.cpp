#include "http/listener.hpp"

#include "app/options.hpp"
#include "http/deferred_accept.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>

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

}  // namespace tg::host
