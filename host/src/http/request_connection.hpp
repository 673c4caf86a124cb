// One request on a connection the request gate found ready, as Poco's HTTPServerConnection
// serves it, but only one: a connection kept alive goes back to the gate to wait for its next
// head, rather than holding this thread while it waits.
#pragma once

#include "http/request_gate.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

namespace tg::host {

class RequestConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
  public:
    RequestConnectionFactory(Poco::AutoPtr<RequestGate> gate,
                             Poco::Net::HTTPServerParams::Ptr params,
                             Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
        : gate_(std::move(gate)), params_(std::move(params)), handlers_(std::move(handlers)) {}
    Poco::Net::TCPServerConnection* createConnection(
        const Poco::Net::StreamSocket& socket) override;

  private:
    Poco::AutoPtr<RequestGate> gate_;
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
};

}  // namespace tg::host
