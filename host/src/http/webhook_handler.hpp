// POST /webhook: validate, route, commit to the spool, then answer {"status":"ok"}.
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
    Runtime& runtime_;
};

}  // namespace tg::host
