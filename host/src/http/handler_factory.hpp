// Maps method and path to a handler: the webhook, health, readiness and metrics.
#pragma once

#include "http/runtime.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace tg::host {

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit HandlerFactory(Runtime& runtime) : runtime_(runtime) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& request) override;

  private:
    Runtime& runtime_;
};

}  // namespace tg::host
