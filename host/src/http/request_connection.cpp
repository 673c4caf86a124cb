#include "http/request_connection.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>

#include <memory>

namespace tg::host {
namespace {

using Poco::Net::HTTPResponse;

// A session that can give back what it read beyond the request it served (a pipelined request,
// or the start of the next head), so that the gate keeps it for the next one.
class Session : public Poco::Net::HTTPServerSession {
  public:
    using HTTPServerSession::HTTPServerSession;
    std::string take_buffered() {
        std::string bytes(static_cast<size_t>(buffered()), '\0');
        if (!bytes.empty()) bytes.resize(static_cast<size_t>(read(bytes.data(), bytes.size())));
        return bytes;
    }
};

void send_error_response(Poco::Net::HTTPServerSession& session, HTTPResponse::HTTPStatus status) {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(status);
    response.setKeepAlive(false);
    response.send();
    session.setKeepAlive(false);
}

class RequestConnection : public Poco::Net::TCPServerConnection {
  public:
    RequestConnection(const Poco::Net::StreamSocket& socket, RequestGate& gate,
                      Poco::Net::HTTPServerParams::Ptr params,
                      Poco::Net::HTTPRequestHandlerFactory& handlers)
        : TCPServerConnection(socket), gate_(gate), params_(params), handlers_(handlers) {}

    void run() override {
        Poco::AutoPtr<GateSocket> connection(dynamic_cast<GateSocket*>(socket().impl()), true);
        {
            Session session(socket(), params_);
            try {
                if (!session.hasMoreRequests() || !serve(session)) return;
            } catch (const Poco::Net::NoMessageException&) {
                return;
            } catch (const Poco::Net::MessageException&) {
                send_error_response(session, HTTPResponse::HTTP_BAD_REQUEST);
                return;
            }
            if (!session.getKeepAlive() || !connection) return;
            connection->read_ahead(session.take_buffered());
            connection->keep_open(true);  // the session's end must not close it
        }
        gate_.wait_again(connection);  // once the session is gone: the gate may close it now
    }

  private:
    // Poco's HTTPServerConnection::run, for one request; false when the connection must close.
    bool serve(Session& session) {
        Poco::Net::HTTPServerResponseImpl response(session);
        Poco::Net::HTTPServerRequestImpl request(response, session, params_.get());
        response.setDate(Poco::Timestamp());
        response.setVersion(request.getVersion());
        response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive());
        try {
            std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
                handlers_.createRequestHandler(request));
            if (!handler) {
                send_error_response(session, HTTPResponse::HTTP_NOT_IMPLEMENTED);
                return false;
            }
            if (request.getExpectContinue() && response.getStatus() == HTTPResponse::HTTP_OK)
                response.sendContinue();
            handler->handleRequest(request, response);
            session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive());
        } catch (const Poco::Exception&) {
            if (!response.sent()) {
                try {
                    send_error_response(session, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
                } catch (...) {
                }
            }
            return false;
        }
        return true;
    }

    RequestGate& gate_;
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory& handlers_;
};

}  // namespace

Poco::Net::TCPServerConnection* RequestConnectionFactory::createConnection(
    const Poco::Net::StreamSocket& socket) {
    return new RequestConnection(socket, *gate_, params_, *handlers_);
}

}  // namespace tg::host
