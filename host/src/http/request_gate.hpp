// The listening socket, and the waiting room before it: a connection gets a thread of the HTTP
// server only once its whole request head has arrived, and goes back to the waiting room after
// each answer it keeps alive. Waiting connections are one poll() set, a file descriptor each, no
// thread: thousands of idle or trickling clients (a port scan, slowloris) cannot hold the threads
// that real clients need. The whole head must arrive within head_timeout (else 408); idle
// keep-alive connections are closed after keep_alive_timeout. On a TLS listener the handshake
// happens here too, without blocking, so a client that never finishes it costs no thread.
#pragma once

#include "http/gate_socket.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/ServerSocketImpl.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <vector>

namespace tg::host {

class RequestGate : public Poco::Net::ServerSocketImpl {
  public:
    struct Settings {
        std::chrono::milliseconds head_timeout{10000};
        std::chrono::milliseconds keep_alive_timeout{5000};
        size_t max_head_bytes = 64 * 1024;  // larger heads get 431
        size_t max_waiting = 16384;         // then the oldest waiting connection is closed
    };
    // `tls` null: plain HTTP.
    RequestGate(const Settings& settings, Poco::Net::Context::Ptr tls);

    // Both apply to connections accepted from now on (a reload: a new certificate, say).
    void set_tls(Poco::Net::Context::Ptr tls);
    void set_head_timeout(std::chrono::milliseconds timeout);
    // From a worker thread: the answer was sent and the connection may carry another request.
    void wait_again(Poco::AutoPtr<GateSocket> socket);

    bool poll(const Poco::Timespan& timeout, int mode) override;
    Poco::Net::SocketImpl* acceptConnection(Poco::Net::SocketAddress& client) override;

  protected:
    ~RequestGate() override;

  private:
    struct Waiting {
        Poco::AutoPtr<GateSocket> socket;
        std::chrono::steady_clock::time_point deadline;
        bool idle;  // a kept-alive connection with nothing of its next request yet
    };
    void gather(int timeout_ms);
    void accept_new();
    void take_returned();
    void wait(Poco::AutoPtr<GateSocket> socket, bool idle);
    bool progress(Waiting& waiting);  // false: it left the waiting room (ready or closed)

    Settings settings_;
    std::atomic<int64_t> head_timeout_ms_;
    int wake_fd_ = -1;  // an eventfd: a connection came back
    std::mutex mutex_;
    Poco::Net::Context::Ptr tls_;                      // under mutex_
    std::vector<Poco::AutoPtr<GateSocket>> returned_;  // under mutex_
    std::deque<Waiting> waiting_;                      // the acceptor thread's alone
    std::deque<Poco::AutoPtr<GateSocket>> ready_;      // heads complete, for the server
};

}  // namespace tg::host
