#include "http/http_server.hpp"

#include "config/usage_error.hpp"
#include "http/listener.hpp"
#include "http/request_connection.hpp"
#include "time/duration.hpp"

#include <Poco/Net/ServerSocket.h>

#include <fcntl.h>

#include <chrono>
#include <thread>

namespace tg::host {
namespace {

// A ServerSocket whose implementation is the gate, bound and listening on `address`.
class GateServerSocket : public Poco::Net::ServerSocket {
  public:
    GateServerSocket(RequestGate* gate, const Poco::Net::SocketAddress& address)
        : ServerSocket(gate, true) {
        bind(address, true);
        listen(256);
        const int fd = static_cast<int>(impl()->sockfd());
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);  // accept4 until EAGAIN
    }
};

Poco::Net::SocketAddress address_of(const std::string& listen) {
    try {
        return Poco::Net::SocketAddress(listen);
    } catch (const Poco::Exception& e) {
        throw UsageError("cannot listen on '" + listen + "': " + e.displayText() +
                         " (use ADDR:PORT)");
    }
}

}  // namespace

HttpServer::HttpServer(Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                       const std::string& listen, const ServerSettings& server)
    : listen_(listen), settings_(server), pool_("http", 2, server.max_threads) {
    RequestGate::Settings gate;
    gate.head_timeout = server.head_timeout;
    gate_ = new RequestGate(gate, server.tls ? tls_context(*server.tls, listen) : nullptr);
    gate_->duplicate();  // the ServerSocket's reference
    GateServerSocket socket(gate_.get(), address_of(listen));
    auto params = server_params(server);
    server_ = std::make_unique<Poco::Net::TCPServer>(
        new RequestConnectionFactory(gate_, params, handlers), pool_, socket, params);
}

HttpServer::~HttpServer() {
    if (server_) server_->stop();
}

void HttpServer::start() { server_->start(); }
bool HttpServer::stop(std::chrono::milliseconds grace) {
    server_->stop();
    // Every server thread, not only those serving a connection: Poco's dispatcher counts itself
    // once more for each thread it starts, and only that thread's run gives the count back. A
    // thread started for the last connection but not yet run when the pool is destroyed would
    // never run, and the dispatcher, the gate and its connections would leak.
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (server_->currentThreads() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

HttpServer::Change HttpServer::prepare(const std::string& listen,
                                       const ServerSettings& next) const {
    Change change;
    change.settings = next;
    if (next.tls) change.tls = tls_context(*next.tls, listen);  // read again: a renewed one
    auto unchanged = [&](const std::string& what, const std::string& now, const std::string& then) {
        if (now != then)
            change.warnings.push_back(what + " changed from " + now + " to " + then +
                                      ": restart the host to apply it");
    };
    unchanged("listen", listen_, listen);
    unchanged("server.max_threads", std::to_string(settings_.max_threads),
              std::to_string(next.max_threads));
    unchanged("server.max_queued", std::to_string(settings_.max_queued),
              std::to_string(next.max_queued));
    unchanged("server.read_timeout", common::format_duration(settings_.read_timeout),
              common::format_duration(next.read_timeout));
    return change;
}

void HttpServer::apply(const Change& change) {
    gate_->set_tls(change.tls);
    gate_->set_head_timeout(change.settings.head_timeout);
}

}  // namespace tg::host
