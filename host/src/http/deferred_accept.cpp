#include "http/deferred_accept.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <vector>

namespace tg::host {

DeferredAcceptSocketImpl::DeferredAcceptSocketImpl(std::chrono::milliseconds idle_timeout,
                                                   size_t max_pending)
    : idle_timeout_(idle_timeout), max_pending_(max_pending) {}

DeferredAcceptSocketImpl::~DeferredAcceptSocketImpl() {
    for (const auto& p : pending_) ::close(p.fd);
    for (int fd : ready_) ::close(fd);
}

void DeferredAcceptSocketImpl::gather(int timeout_ms) {
    const int listener = static_cast<int>(sockfd());
    if (listener < 0) return;
    std::vector<pollfd> fds;
    fds.reserve(pending_.size() + 1);
    fds.push_back({listener, POLLIN, 0});
    for (const auto& p : pending_) fds.push_back({p.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0) return;

    std::deque<Pending> still;
    const auto now = std::chrono::steady_clock::now();
    for (size_t i = 1; i < fds.size(); ++i) {
        const Pending& p = pending_[i - 1];
        if (fds[i].revents)
            ready_.push_back(p.fd);  // data, or the client went away
        else if (now - p.since >= idle_timeout_)
            ::close(p.fd);
        else
            still.push_back(p);
    }
    pending_.swap(still);
    if (!(fds[0].revents & POLLIN)) return;
    for (int accepted = 0; accepted < 256; ++accepted) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if ((errno == EMFILE || errno == ENFILE) && !pending_.empty()) {  // make room
                ::close(pending_.front().fd);
                pending_.pop_front();
                continue;
            }
            return;  // EAGAIN (the listener is non-blocking), or a client that left
        }
        if (pending_.size() >= max_pending_) {
            ::close(pending_.front().fd);
            pending_.pop_front();
        }
        pending_.push_back({fd, std::chrono::steady_clock::now()});
    }
}

bool DeferredAcceptSocketImpl::poll(const Poco::Timespan& timeout, int mode) {
    if (!(mode & Poco::Net::Socket::SELECT_READ)) return ServerSocketImpl::poll(timeout, mode);
    if (ready_.empty()) gather(static_cast<int>(timeout.totalMilliseconds()));
    if (ready_.empty()) gather(0);  // clients that spoke in the meantime
    return !ready_.empty();
}

Poco::Net::SocketImpl* DeferredAcceptSocketImpl::acceptConnection(
    Poco::Net::SocketAddress& client) {
    while (ready_.empty()) {
        if (sockfd() == POCO_INVALID_SOCKET)
            throw Poco::Net::NetException("the listener is closed");
        gather(250);
    }
    const int fd = ready_.front();
    ready_.pop_front();
    auto* impl = new Poco::Net::StreamSocketImpl(fd);
    try {
        client = impl->peerAddress();
    } catch (const Poco::Exception&) {  // already gone: the server will find the socket closed
    }
    return impl;
}

DeferredServerSocket::DeferredServerSocket(const Poco::Net::SocketAddress& address, int backlog,
                                           std::chrono::milliseconds idle_timeout,
                                           size_t max_pending)
    : ServerSocket(new DeferredAcceptSocketImpl(idle_timeout, max_pending), true) {
    bind(address, true);
    listen(backlog);
    const int fd = static_cast<int>(impl()->sockfd());
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);  // accept4 in a loop until EAGAIN
}

}  // namespace tg::host
