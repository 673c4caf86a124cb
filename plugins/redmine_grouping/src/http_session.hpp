// What the sink's two HTTP clients (Redmine's, Alertmanager's) share: a session to a URL's host,
// TLS verified strictly, and an answer's body read up to a limit.
#pragma once

#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <istream>
#include <memory>
#include <string>

namespace tg::redmine {

struct HttpTarget {
    std::string scheme;  // http or https
    std::string host;
    unsigned short port = 0;
    std::string ca_file;  // https: a PEM file in addition to the system CAs ("" none)
    bool tls_verify = true;
    std::chrono::milliseconds timeout{30000};
};

// A session (not connected yet). VERIFY_STRICT: Poco skips the host-name check on loopback
// addresses otherwise.
std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const HttpTarget& target);

// The body, but never more than `limit` bytes (+1, to tell that it was over).
std::string read_body(std::istream& in, size_t limit);

}  // namespace tg::redmine
