#include "http/listener.hpp"

#include "config/usage_error.hpp"

#include <Poco/Net/SSLManager.h>

#include <openssl/ssl.h>

#include <chrono>

namespace tg::host {

Poco::Net::Context::Ptr tls_context(const TlsSettings& tls, const std::string& listen) {
    Poco::Net::initializeSSL();
    // Forward secrecy and authenticated encryption only (Mozilla's "intermediate" list without
    // DHE): no static RSA key exchange, no CBC. TLS 1.3's suites all qualify.
    static const char* const ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
    try {
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls.key_file, tls.cert_file,
                                   "", Poco::Net::Context::VERIFY_NONE, 9, false, ciphers);
        context->disableProtocols(
            Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
            Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        SSL_CTX_set_min_proto_version(context->sslContext(), TLS1_2_VERSION);
        context->preferServerCiphers();
        return context;
    } catch (const Poco::Exception& e) {
        throw UsageError("cannot set up TLS on " + listen + ": " + e.displayText());
    }
}

Poco::Net::HTTPServerParams::Ptr server_params(const ServerSettings& server) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    // Threads serve requests whose head has arrived (request_gate.hpp); waiting connections,
    // idle keep-alive ones included, hold none.
    params->setMaxThreads(server.max_threads);
    params->setMaxQueued(server.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    // A thread with nothing to serve looks at the queue again this often. Poco's stop wakes one
    // waiting thread; the others see it at their next look, so this bounds how long a drain
    // (HttpServer::stop) waits for them.
    params->setThreadIdleTime(Poco::Timespan(0, 250 * 1000));
    // A client that trickles its body is cut off (see also WebhookHandler's body deadline).
    params->setTimeout(Poco::Timespan(
        std::chrono::duration_cast<std::chrono::microseconds>(server.read_timeout).count()));
    return params;
}

}  // namespace tg::host
