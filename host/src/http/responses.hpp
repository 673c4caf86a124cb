// JSON answers with a correct reason phrase (Poco's setStatus alone would say "400 OK").
#pragma once

#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace tg::host {

void send_json(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
               const std::string& json);
void send_ok(Poco::Net::HTTPServerResponse& response);
void send_error(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
                const std::string& message);

}  // namespace tg::host
