#include "http/request_gate.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/Net/Socket.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

namespace tg::host {
namespace {

// The gate's own answers, before any handler: the connection closes after them.
std::string answer(const std::string& status, const std::string& error) {
    const std::string body = R"({"status":"error","error":")" + error + "\"}";
    return "HTTP/1.1 " + status +
           "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string timeout_answer = answer("408 Request Timeout", "the request head took too long");
const std::string too_large_answer =
    answer("431 Request Header Fields Too Large", "the request head is too large");
const std::string not_http_answer = answer("400 Bad Request", "this is not an HTTP request head");

}  // namespace

RequestGate::RequestGate(const Settings& settings, Poco::Net::Context::Ptr tls)
    : settings_(settings),
      head_timeout_ms_(settings.head_timeout.count()),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      tls_(std::move(tls)) {}

RequestGate::~RequestGate() {
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void RequestGate::set_tls(Poco::Net::Context::Ptr tls) {
    std::lock_guard lock(mutex_);
    tls_ = std::move(tls);
}

void RequestGate::set_head_timeout(std::chrono::milliseconds timeout) {
    head_timeout_ms_ = timeout.count();
}

void RequestGate::wait_again(Poco::AutoPtr<GateSocket> socket) {
    {
        std::lock_guard lock(mutex_);
        returned_.push_back(std::move(socket));
    }
    const uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
}

void RequestGate::wait(Poco::AutoPtr<GateSocket> socket, bool idle) {
    socket->set_nonblocking(true);
    const auto now = std::chrono::steady_clock::now();
    Waiting w{std::move(socket),
              now + (idle ? settings_.keep_alive_timeout
                          : std::chrono::milliseconds(head_timeout_ms_.load())),
              idle};
    if (!progress(w)) return;  // pipelined: the next head is here already
    if (waiting_.size() >= settings_.max_waiting) {
        waiting_.front().socket->answer_and_close(timeout_answer);
        waiting_.pop_front();
    }
    waiting_.push_back(std::move(w));
}

bool RequestGate::progress(Waiting& w) {
    const bool had_bytes = !w.socket->empty();
    switch (w.socket->fill(settings_.max_head_bytes)) {
        case GateSocket::Fill::head:
            w.socket->set_nonblocking(false);
            ready_.push_back(std::move(w.socket));
            return false;
        case GateSocket::Fill::too_large:
            w.socket->answer_and_close(too_large_answer);
            return false;
        case GateSocket::Fill::not_http:
            w.socket->answer_and_close(not_http_answer);
            return false;
        case GateSocket::Fill::closed:
            w.socket->keep_open(false);
            w.socket->close();
            return false;
        case GateSocket::Fill::waiting:
            break;
    }
    if (w.idle && (!w.socket->empty() || had_bytes)) {  // the next request has begun
        w.idle = false;
        w.deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(head_timeout_ms_.load());
    }
    return true;
}

void RequestGate::take_returned() {
    std::vector<Poco::AutoPtr<GateSocket>> returned;
    {
        std::lock_guard lock(mutex_);
        returned.swap(returned_);
    }
    for (auto& socket : returned) {
        socket->keep_open(false);
        wait(std::move(socket), true);
    }
}

void RequestGate::accept_new() {
    const int listener = static_cast<int>(sockfd());
    Poco::Net::Context::Ptr tls;
    {
        std::lock_guard lock(mutex_);
        tls = tls_;
    }
    for (int accepted = 0; accepted < 256; ++accepted) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if ((errno == EMFILE || errno == ENFILE) && !waiting_.empty()) {  // make room
                waiting_.front().socket->answer_and_close(timeout_answer);
                waiting_.pop_front();
                continue;
            }
            return;  // EAGAIN (the listener is non-blocking), or a client that left
        }
        try {
            wait(new GateSocket(fd, tls), false);
        } catch (const Poco::Exception&) {  // no TLS session: the client is closed
        }
    }
}

void RequestGate::gather(int timeout_ms) {
    const int listener = static_cast<int>(sockfd());
    if (listener < 0) return;
    std::vector<pollfd> fds;
    fds.reserve(waiting_.size() + 2);
    fds.push_back({listener, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    for (const auto& w : waiting_) fds.push_back({static_cast<int>(w.socket->sockfd()), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0) return;

    std::deque<Waiting> still;
    const auto now = std::chrono::steady_clock::now();
    for (size_t i = 2; i < fds.size(); ++i) {
        Waiting& w = waiting_[i - 2];
        if (fds[i].revents && !progress(w)) continue;
        if (now < w.deadline)
            still.push_back(std::move(w));
        else if (w.idle)
            w.socket->close();
        else
            w.socket->answer_and_close(timeout_answer);
    }
    waiting_.swap(still);
    if (fds[1].revents & POLLIN) {
        uint64_t count = 0;
        [[maybe_unused]] const auto n = ::read(wake_fd_, &count, sizeof count);
        take_returned();
    }
    if (fds[0].revents & POLLIN) accept_new();
}

bool RequestGate::poll(const Poco::Timespan& timeout, int mode) {
    if (!(mode & Poco::Net::Socket::SELECT_READ)) return ServerSocketImpl::poll(timeout, mode);
    if (ready_.empty()) gather(static_cast<int>(timeout.totalMilliseconds()));
    if (ready_.empty()) gather(0);  // clients that spoke in the meantime
    return !ready_.empty();
}

Poco::Net::SocketImpl* RequestGate::acceptConnection(Poco::Net::SocketAddress& client) {
    while (ready_.empty()) {
        if (sockfd() == POCO_INVALID_SOCKET)
            throw Poco::Net::NetException("the listener is closed");
        gather(250);
    }
    Poco::AutoPtr<GateSocket> socket = ready_.front();
    ready_.pop_front();
    try {
        client = socket->peerAddress();
    } catch (const Poco::Exception&) {  // already gone: the server will find the socket closed
    }
    socket->duplicate();  // the caller's reference
    return socket.get();
}

}  // namespace tg::host
