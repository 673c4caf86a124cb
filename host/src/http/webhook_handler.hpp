// POST /webhook: read within the limits and the intake budget, validate, route, commit to the
// spool, then answer {"status":"ok"}.
#pragma once

#include "http/runtime.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace tg::host {

class WebhookHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit WebhookHandler(Runtime& runtime) : runtime_(runtime) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

  private:
    // Counted in tickets_grouping_webhook_rejected_total{reason}; `read_all`: the body was read,
    // the connection may stay open.
    void refuse(Poco::Net::HTTPServerResponse& response, const char* reason, int status,
                const std::string& message, bool read_all = false);
    bool read_body(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   const ServerSettings& server, IntakeBudget::Reservation& budget,
                   std::string& body);
    Runtime& runtime_;
};

}  // namespace tg::host
