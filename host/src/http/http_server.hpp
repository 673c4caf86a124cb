// The host's HTTP server: Poco's TCPServer and thread pool behind the request gate
// (request_gate.hpp), one request per thread at a time (request_connection.hpp). A reload may
// change the certificate, TLS itself and the head timeout at once; a change of listen, threads,
// queue or read timeout needs a restart, and says so.
#pragma once

#include "config/routing_config.hpp"
#include "http/request_gate.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace tg::host {

class HttpServer {
  public:
    // Throws UsageError (a bad address, a certificate that does not load).
    HttpServer(Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, const std::string& listen,
               const ServerSettings& server);
    ~HttpServer();
    void start();
    // No new requests; waits up to `grace` for those in flight and for every server thread to
    // end. False: some are still busy after it (a handler that does not return).
    bool stop(std::chrono::milliseconds grace);

    // A reload: everything new is built by prepare() (which may throw UsageError, and then
    // nothing changes), then apply() swaps it in.
    struct Change {
        Poco::Net::Context::Ptr tls;
        ServerSettings settings;
        std::vector<std::string> warnings;  // what this reload does not change
    };
    Change prepare(const std::string& listen, const ServerSettings& next) const;
    void apply(const Change& change);

  private:
    std::string listen_;
    ServerSettings settings_;
    Poco::AutoPtr<RequestGate> gate_;
    Poco::ThreadPool pool_;
    std::unique_ptr<Poco::Net::TCPServer> server_;
};

}  // namespace tg::host
