// Maps method and path to a handler: the webhook, health, readiness, reload and metrics.
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
    // Counted in tickets_grouping_webhook_rejected_total{reason}; the connection is closed.
    Poco::Net::HTTPRequestHandler* refused(const char* reason, int status,
                                           const std::string& message);
    Runtime& runtime_;
};

}  // namespace tg::host
