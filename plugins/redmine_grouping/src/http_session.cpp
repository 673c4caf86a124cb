#include "http_session.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>

namespace tg::redmine {

std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const HttpTarget& target) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (target.scheme == "https") {
        Poco::Net::Context::Ptr context = new Poco::Net::Context(
            Poco::Net::Context::CLIENT_USE, target.ca_file,
            target.tls_verify ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE,
            9, true);
        session =
            std::make_unique<Poco::Net::HTTPSClientSession>(target.host, target.port, context);
    } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(target.host, target.port);
    }
    session->setTimeout(Poco::Timespan(target.timeout.count() * 1000));
    return session;
}

std::string read_body(std::istream& in, size_t limit) {
    std::string body;
    char buffer[16384];
    while (body.size() <= limit && in.read(buffer, sizeof buffer).gcount() > 0)
        body.append(buffer, static_cast<size_t>(in.gcount()));
    return body;
}

}  // namespace tg::redmine
