#include "http/gate_socket.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>

#include <openssl/err.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <cerrno>
#include <cstring>

namespace tg::host {
namespace {

std::string tls_error() {
    const unsigned long code = ERR_get_error();
    if (code == 0) return "connection closed";
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

}  // namespace

GateSocket::GateSocket(int fd, Poco::Net::Context::Ptr tls)
    : Poco::Net::StreamSocketImpl(fd), tls_(std::move(tls)) {
    if (!tls_) return;
    ssl_ = SSL_new(tls_->sslContext());
    if (!ssl_) throw Poco::Net::SSLException("SSL_new: " + tls_error());
    SSL_set_fd(ssl_, fd);
    SSL_set_accept_state(ssl_);
}

GateSocket::~GateSocket() {
    // The last reference is mostly dropped inside Poco's TCPServer, whose atomic decrement
    // ThreadSanitizer cannot see (Poco is not instrumented). Reading the count here is that
    // decrement's acquire made visible: it pairs with the release of the reference the request
    // thread held (RequestConnection::run), after which that thread never touches the socket.
    [[maybe_unused]] const int references = referenceCount();
    if (ssl_) SSL_free(ssl_);
}

void GateSocket::set_nonblocking(bool on) {
    const int fd = static_cast<int>(sockfd());
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

void GateSocket::read_ahead(std::string bytes) {
    ahead_ = std::move(bytes);
    scanned_ = 0;
}

bool GateSocket::head_complete() {
    // The empty line that ends a head: CRLF CRLF, or bare LFs, which Poco reads too.
    for (size_t i = scanned_; i < ahead_.size(); ++i) {
        if (ahead_[i] != '\n') continue;
        if (i + 1 < ahead_.size() && ahead_[i + 1] == '\n') return true;
        if (i + 2 < ahead_.size() && ahead_[i + 1] == '\r' && ahead_[i + 2] == '\n') return true;
    }
    scanned_ = ahead_.size() > 2 ? ahead_.size() - 2 : 0;
    return false;
}

bool GateSocket::not_http() const {
    for (char c : ahead_) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\r' && c != '\n' && c != '\t') || u == 0x7F) return true;
    }
    return false;
}

GateSocket::Fill GateSocket::fill(size_t max_head_bytes) {
    ERR_clear_error();
    if (ssl_ && !handshaken_) {
        const int rc = SSL_do_handshake(ssl_);
        if (rc != 1) {
            const int e = SSL_get_error(ssl_, rc);
            return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? Fill::waiting
                                                                         : Fill::closed;
        }
        handshaken_ = true;
    }
    char buffer[16384];
    bool eof = false;
    while (ahead_.size() <= max_head_bytes) {
        const int n = ssl_ ? SSL_read(ssl_, buffer, sizeof buffer)
                           : static_cast<int>(::recv(static_cast<int>(sockfd()), buffer,
                                                     sizeof buffer, MSG_DONTWAIT));
        if (n > 0) {
            ahead_.append(buffer, static_cast<size_t>(n));
            continue;
        }
        if (ssl_) {
            const int e = SSL_get_error(ssl_, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
            eof = true;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            eof = true;
        }
        break;
    }
    // A client may send its head and close its side: the HTTP session still answers.
    if (head_complete()) return Fill::head;
    if (not_http()) return Fill::not_http;
    if (eof) return Fill::closed;
    return ahead_.size() > max_head_bytes ? Fill::too_large : Fill::waiting;
}

void GateSocket::answer_and_close(const std::string& response) {
    if (ssl_ && handshaken_)
        SSL_write(ssl_, response.data(), static_cast<int>(response.size()));
    else if (!ssl_)
        ::send(static_cast<int>(sockfd()), response.data(), response.size(),
               MSG_DONTWAIT | MSG_NOSIGNAL);
    keep_open_ = false;
    close();
}

int GateSocket::tls_io(int rc, bool reading) {
    if (rc > 0) return rc;
    const int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && rc == 0 && ERR_peek_error() == 0))
        return 0;  // closed, with or without close_notify
    // The socket blocks with the session's timeout (SO_RCVTIMEO/SO_SNDTIMEO): it ran out.
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) throw Poco::TimeoutException();
    throw Poco::Net::SSLException(std::string(reading ? "TLS read: " : "TLS write: ") +
                                  tls_error());
}

int GateSocket::receiveBytes(void* buffer, int length, int flags) {
    if (!ahead_.empty()) {
        const size_t n = std::min(ahead_.size(), static_cast<size_t>(length));
        std::memcpy(buffer, ahead_.data(), n);
        if (!(flags & MSG_PEEK)) ahead_.erase(0, n);
        return static_cast<int>(n);
    }
    if (!ssl_) return StreamSocketImpl::receiveBytes(buffer, length, flags);
    ERR_clear_error();
    return tls_io(SSL_read(ssl_, buffer, length), true);
}

int GateSocket::sendBytes(const void* buffer, int length, int flags) {
    if (!ssl_) return StreamSocketImpl::sendBytes(buffer, length, flags);
    ERR_clear_error();
    return tls_io(SSL_write(ssl_, buffer, length), false);
}

bool GateSocket::poll(const Poco::Timespan& timeout, int mode) {
    if ((mode & SELECT_READ) && (!ahead_.empty() || (ssl_ && SSL_pending(ssl_) > 0))) return true;
    return StreamSocketImpl::poll(timeout, mode);
}

int GateSocket::available() {
    if (!ahead_.empty()) return static_cast<int>(ahead_.size());
    return ssl_ ? SSL_pending(ssl_) : StreamSocketImpl::available();
}

void GateSocket::close() {
    if (keep_open_ || sockfd() == POCO_INVALID_SOCKET) return;
    if (ssl_ && handshaken_) SSL_shutdown(ssl_);  // close_notify, best effort
    StreamSocketImpl::close();
}

}  // namespace tg::host
