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
    // /-/reload, /-/run-hook, /-/replay and /-/dry-deliver: privileged clients only.
    Poco::Net::HTTPRequestHandler* command_handler(const Poco::Net::HTTPServerRequest& request,
                                                   const WebhookAuth& auth,
                                                   const std::string& path);
    // GET /: privileged clients only.
    Poco::Net::HTTPRequestHandler* status_page_handler(const Poco::Net::HTTPServerRequest& request,
                                                       const WebhookAuth& auth);
    // /healthz, /readyz and /metrics, for anyone; nullptr for another path.
    Poco::Net::HTTPRequestHandler* monitoring_handler(const std::string& path,
                                                      const std::string& method);
    Runtime& runtime_;
};

}  // namespace tg::host
