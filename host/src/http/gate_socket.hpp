// One client connection as the request gate (request_gate.hpp) holds it: the bytes read ahead
// while its request head arrived, and, on a TLS listener, its OpenSSL session, which the gate
// drives without blocking. Poco's HTTP code then reads and writes through it as through any
// stream socket: first the bytes read ahead, then the connection.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <openssl/ssl.h>

#include <string>

namespace tg::host {

class GateSocket : public Poco::Net::StreamSocketImpl {
  public:
    // `tls` null: plain TCP.
    GateSocket(int fd, Poco::Net::Context::Ptr tls);

    enum class Fill { waiting, head, too_large, not_http, closed };
    // Reads what has arrived, without blocking (the TLS handshake first). `head`: a whole request
    // head (up to its empty line) is here; `not_http`: a control character no head holds (a TLS
    // ClientHello on the plain port, say).
    Fill fill(size_t max_head_bytes);
    bool empty() const { return ahead_.empty(); }
    void read_ahead(std::string bytes);  // what the HTTP session had buffered, given back
    void set_nonblocking(bool on);
    // Best effort, without blocking: a short answer the gate gives itself (408, 431).
    void answer_and_close(const std::string& response);
    // Keeps the connection open when the HTTP session ends: it goes back to the gate.
    void keep_open(bool keep) { keep_open_ = keep; }

    int receiveBytes(void* buffer, int length, int flags = 0) override;
    int sendBytes(const void* buffer, int length, int flags = 0) override;
    bool poll(const Poco::Timespan& timeout, int mode) override;
    int available() override;
    void close() override;
    bool secure() const override { return ssl_ != nullptr; }

  protected:
    ~GateSocket() override;

  private:
    bool head_complete();
    bool not_http() const;
    int tls_io(int rc, bool reading);  // an SSL_read/SSL_write result for a blocking caller

    Poco::Net::Context::Ptr tls_;  // keeps the SSL_CTX alive as long as the session
    SSL* ssl_ = nullptr;
    bool handshaken_ = false;
    bool keep_open_ = false;
    std::string ahead_;   // read, not yet given to the HTTP session
    size_t scanned_ = 0;  // of ahead_, searched for the end of the head
};

}  // namespace tg::host
