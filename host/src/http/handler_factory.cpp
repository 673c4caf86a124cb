#include "http/handler_factory.hpp"

#include "http/admin_commands.hpp"
#include "http/privileged_access.hpp"
#include "http/readiness.hpp"
#include "http/responses.hpp"
#include "http/status_handler.hpp"
#include "http/webhook_auth.hpp"
#include "http/webhook_handler.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <functional>
#include <sstream>

namespace tg::host {
namespace {

using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using Body = std::function<void(HTTPServerRequest&, HTTPServerResponse&)>;

class FunctionHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit FunctionHandler(Body body) : body_(std::move(body)) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        // None of these handlers reads a body: left on a keep-alive connection, its bytes would
        // be parsed as the next request (request smuggling). Close the connection after the answer.
        if (request.getChunkedTransferEncoding() ||
            (request.hasContentLength() && request.getContentLength64() > 0))
            response.setKeepAlive(false);
        body_(request, response);
    }

  private:
    Body body_;
};

Poco::Net::HTTPRequestHandler* refuse(HTTPResponse::HTTPStatus status, std::string message) {
    return new FunctionHandler([status, message](HTTPServerRequest&, HTTPServerResponse& r) {
        r.setKeepAlive(false);
        send_error(r, status, message);
    });
}

// `body` for the `allowed` method (GET answers HEAD too); 405 for any other.
Poco::Net::HTTPRequestHandler* only(const std::string& method, const std::string& allowed,
                                    Body body) {
    if (method == allowed || (allowed == HTTPRequest::HTTP_GET && method == "HEAD"))
        return new FunctionHandler(std::move(body));
    return new FunctionHandler([allowed](HTTPServerRequest&, HTTPServerResponse& response) {
        response.set("Allow", allowed);
        send_error(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
                   "method not allowed here; use " + allowed);
    });
}

// POST /-/reload: {"status":"ok"}, with "warnings" for what it did not change; 400 and why not.
void send_reload(Runtime& runtime, HTTPServerResponse& response) {
    const auto result =
        runtime.reload ? runtime.reload() : Runtime::ReloadResult{"reload is not available", {}};
    if (!result.error.empty())
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, result.error);
    if (result.warnings.empty()) return send_ok(response);
    Poco::JSON::Object body;
    body.set("status", "ok");
    Poco::JSON::Array::Ptr warnings = new Poco::JSON::Array;
    for (const auto& warning : result.warnings) warnings->add(warning);
    body.set("warnings", warnings);
    std::ostringstream text;
    body.stringify(text);
    send_json(response, HTTPResponse::HTTP_OK, text.str());
}

}  // namespace

Poco::Net::HTTPRequestHandler* HandlerFactory::refused(const char* reason, int status,
                                                       const std::string& message) {
    runtime_.metrics.counter(metric::webhook_rejected_total, {{"reason", reason}}).fetch_add(1);
    auto config = runtime_.config();
    return new FunctionHandler(
        [config, status, message](HTTPServerRequest&, HTTPServerResponse& response) {
            if (status == HTTPResponse::HTTP_UNAUTHORIZED)
                response.set("WWW-Authenticate", config->server.auth.bearer_token
                                                     ? "Bearer realm=\"tickets-grouping\""
                                                     : "Basic realm=\"tickets-grouping\"");
            response.setKeepAlive(false);  // the body was not read
            send_error(response, static_cast<HTTPResponse::HTTPStatus>(status), message);
        });
}

Poco::Net::HTTPRequestHandler* HandlerFactory::command_handler(const HTTPServerRequest& request,
                                                               const WebhookAuth& auth,
                                                               const std::string& path) {
    switch (privileged_access(auth, request)) {
        case Access::unauthorized:
            return refused("unauthorized", HTTPResponse::HTTP_UNAUTHORIZED,
                           "missing or wrong credentials");
        case Access::forbidden:
            return refused(
                "forbidden", HTTPResponse::HTTP_FORBIDDEN,
                "without auth configured, " + path.substr(3) + " is allowed from loopback only");
        case Access::granted:
            break;
    }
    const std::string& method = request.getMethod();
    if (path == "/-/run-hook")
        return only(
            method, HTTPRequest::HTTP_POST,
            [this](HTTPServerRequest& q, HTTPServerResponse& r) { send_run_hook(runtime_, q, r); });
    if (path == "/-/replay")
        return only(
            method, HTTPRequest::HTTP_POST,
            [this](HTTPServerRequest& q, HTTPServerResponse& r) { send_replay(runtime_, q, r); });
    if (path == "/-/dry-deliver")
        return only(method, HTTPRequest::HTTP_POST,
                    [this](HTTPServerRequest& q, HTTPServerResponse& r) {
                        send_dry_delivery(runtime_, q, r);
                    });
    return only(method, HTTPRequest::HTTP_POST,
                [this](HTTPServerRequest&, HTTPServerResponse& r) { send_reload(runtime_, r); });
}

Poco::Net::HTTPRequestHandler* HandlerFactory::status_page_handler(const HTTPServerRequest& request,
                                                                   const WebhookAuth& auth) {
    // The status page tells failures' details and Redmine's answers: the privileged rule.
    switch (privileged_access(auth, request)) {
        case Access::unauthorized:
            return refused("unauthorized", HTTPResponse::HTTP_UNAUTHORIZED,
                           "missing or wrong credentials: the status page needs the "
                           "webhook's credentials");
        case Access::forbidden:
            return refused("forbidden", HTTPResponse::HTTP_FORBIDDEN,
                           "without auth configured, the status page is served to loopback "
                           "clients only");
        case Access::granted:
            break;
    }
    return only(
        request.getMethod(), HTTPRequest::HTTP_GET,
        [this](HTTPServerRequest& q, HTTPServerResponse& r) { send_status_page(runtime_, q, r); });
}

Poco::Net::HTTPRequestHandler* HandlerFactory::monitoring_handler(const std::string& path,
                                                                  const std::string& method) {
    if (path == "/healthz")
        return only(method, HTTPRequest::HTTP_GET,
                    [](HTTPServerRequest&, HTTPServerResponse& r) { send_ok(r); });
    if (path == "/readyz")
        return only(
            method, HTTPRequest::HTTP_GET, [this](HTTPServerRequest& q, HTTPServerResponse& r) {
                send_readiness(
                    runtime_, r,
                    privileged_access(runtime_.config()->server.auth, q) == Access::granted);
            });
    if (path == "/metrics")
        return only(method, HTTPRequest::HTTP_GET,
                    [this](HTTPServerRequest&, HTTPServerResponse& r) {
                        const std::string text = runtime_.metrics.render();
                        r.setStatusAndReason(HTTPResponse::HTTP_OK);
                        r.setContentType("text/plain; version=0.0.4; charset=utf-8");
                        r.setContentLength(static_cast<std::streamsize>(text.size()));
                        r.send() << text;
                    });
    return nullptr;
}

Poco::Net::HTTPRequestHandler* HandlerFactory::createRequestHandler(
    const HTTPServerRequest& request) {
    // Both framings at once is how a request is smuggled past a proxy that reads the other one.
    if (request.getChunkedTransferEncoding() && request.hasContentLength())
        return refuse(HTTPResponse::HTTP_BAD_REQUEST,
                      "Content-Length and Transfer-Encoding: chunked together");
    std::string path;
    try {
        path = Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {  // a bad %-escape, say
        return refuse(HTTPResponse::HTTP_BAD_REQUEST, "malformed request target");
    }
    const std::string& method = request.getMethod();
    // Held for the request's routing: a reload may swap the runtime's configuration meanwhile.
    const auto config = runtime_.config();
    const auto& auth = config->server.auth;
    if (path == "/webhook") {
        if (!webhook_authorized(auth, request.get("Authorization", "")))
            return refused("unauthorized", HTTPResponse::HTTP_UNAUTHORIZED,
                           "missing or wrong credentials");
        if (method == HTTPRequest::HTTP_POST) return new WebhookHandler(runtime_);
        return only(method, HTTPRequest::HTTP_POST, {});
    }
    if (path == "/-/reload" || path == "/-/run-hook" || path == "/-/replay" ||
        path == "/-/dry-deliver")
        return command_handler(request, auth, path);
    if (path == "/") return status_page_handler(request, auth);
    if (auto* handler = monitoring_handler(path, method)) return handler;
    return new FunctionHandler([path](HTTPServerRequest&, HTTPServerResponse& response) {
        send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such path: " + path.substr(0, 200));
    });
}

}  // namespace tg::host
