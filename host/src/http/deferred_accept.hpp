// A listening socket that hands a connection to the HTTP server only once the client has sent
// something. Poco gives each accepted connection a pool thread that waits for the request; a few
// thousand idle connections (a port scan, a broken client, slowloris) would hold every thread and
// fill the queue, so that a real client is refused. Here idle connections wait in one poll() set,
// cost a file descriptor, not a thread, and are closed after `idle_timeout`.
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/ServerSocketImpl.h>

#include <chrono>
#include <deque>

namespace tg::host {

class DeferredAcceptSocketImpl : public Poco::Net::ServerSocketImpl {
  public:
    DeferredAcceptSocketImpl(std::chrono::milliseconds idle_timeout, size_t max_pending);
    bool poll(const Poco::Timespan& timeout, int mode) override;
    Poco::Net::SocketImpl* acceptConnection(Poco::Net::SocketAddress& client) override;

  protected:
    ~DeferredAcceptSocketImpl() override;

  private:
    struct Pending {
        int fd;
        std::chrono::steady_clock::time_point since;
    };
    void gather(int timeout_ms);  // accepts what waits, moves clients that spoke to ready_

    std::chrono::milliseconds idle_timeout_;
    size_t max_pending_;
    std::deque<Pending> pending_;  // accepted, nothing received yet; oldest first
    std::deque<int> ready_;        // something to read (or closed): for the server
};

// A plain (non-TLS) listening socket on `address` backed by DeferredAcceptSocketImpl.
class DeferredServerSocket : public Poco::Net::ServerSocket {
  public:
    DeferredServerSocket(const Poco::Net::SocketAddress& address, int backlog,
                         std::chrono::milliseconds idle_timeout, size_t max_pending = 16384);
};

}  // namespace tg::host
