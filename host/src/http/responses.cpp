#include "http/responses.hpp"

#include <Poco/JSON/Object.h>

#include <sstream>

namespace tg::host {

void send_json(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
               const std::string& json) {
    response.setStatusAndReason(status);
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(json.size()));
    response.send() << json;
}

void send_ok(Poco::Net::HTTPServerResponse& response) {
    send_json(response, Poco::Net::HTTPResponse::HTTP_OK, R"({"status":"ok"})");
}

void send_error(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
                const std::string& message) {
    Poco::JSON::Object body;
    body.set("status", "error");
    body.set("error", message);
    std::ostringstream text;
    body.stringify(text);
    send_json(response, status, text.str());
}

}  // namespace tg::host
