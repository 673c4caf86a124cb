#include "http/handler_factory.hpp"

#include "http/responses.hpp"
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

class FunctionHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit FunctionHandler(std::function<void(HTTPServerRequest&, HTTPServerResponse&)> body)
        : body_(std::move(body)) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        // None of these handlers reads a body: left on a keep-alive connection, its bytes would
        // be parsed as the next request (request smuggling). Close the connection after the answer.
        if (request.getChunkedTransferEncoding() ||
            (request.hasContentLength() && request.getContentLength64() > 0))
            response.setKeepAlive(false);
        body_(request, response);
    }

  private:
    std::function<void(HTTPServerRequest&, HTTPServerResponse&)> body_;
};

// Ready: the spool takes writes and every sink's last delivery succeeded (or none was made yet).
// Otherwise 503 with {"status":"error","spool":"...","failing":[{"sink","result","error"}]}.
void readiness(Runtime& runtime, HTTPServerResponse& response) {
    if (!runtime.intake.write_error().empty()) {
        // The last write failed: probe now, so readiness returns once the disk does, even
        // before Alertmanager sends again.
        try {
            runtime.intake.commit({});
        } catch (const std::exception&) {
        }
    }
    const std::string spool_error = runtime.intake.write_error();
    Poco::JSON::Array::Ptr failing = new Poco::JSON::Array;
    if (runtime.sink_health)
        for (const auto& sink : runtime.sink_health()) {
            if (sink.healthy) continue;
            Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
            entry->set("sink", sink.sink);
            entry->set("result", sink.result);
            entry->set("error", sink.error.substr(0, 1000));
            entry->set("since_ms", sink.at_ms);
            failing->add(entry);
        }
    const bool ready = spool_error.empty() && failing->size() == 0;
    Poco::JSON::Object body;
    body.set("status", ready ? "ok" : "error");
    if (!spool_error.empty()) body.set("spool", spool_error);
    if (failing->size() > 0) body.set("failing", failing);
    std::ostringstream text;
    body.stringify(text);
    send_json(response, ready ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
              text.str());
}

}  // namespace

Poco::Net::HTTPRequestHandler* HandlerFactory::createRequestHandler(
    const HTTPServerRequest& request) {
    auto refuse = [](HTTPResponse::HTTPStatus status, std::string message) {
        return new FunctionHandler([status, message](HTTPServerRequest&, HTTPServerResponse& r) {
            r.setKeepAlive(false);
            send_error(r, status, message);
        });
    };
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
    auto only = [&](const char* allowed, std::function<Poco::Net::HTTPRequestHandler*()> make)
        -> Poco::Net::HTTPRequestHandler* {
        if (method == allowed ||
            (std::string(allowed) == HTTPRequest::HTTP_GET && method == HTTPRequest::HTTP_HEAD))
            return make();
        return new FunctionHandler([allowed](HTTPServerRequest&, HTTPServerResponse& response) {
            response.set("Allow", allowed);
            send_error(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
                       std::string("method not allowed here; use ") + allowed);
        });
    };
    if ((path == "/webhook" || path == "/-/reload") &&
        !webhook_authorized(runtime_.config()->server.auth, request.get("Authorization", ""))) {
        return new FunctionHandler([this](HTTPServerRequest&, HTTPServerResponse& response) {
            runtime_.metrics
                .counter("tickets_grouping_webhook_rejected_total",
                         "Webhook requests refused, by reason.", {{"reason", "unauthorized"}})
                .fetch_add(1);
            response.set("WWW-Authenticate", runtime_.config()->server.auth.bearer_token
                                                 ? "Bearer realm=\"tickets-grouping\""
                                                 : "Basic realm=\"tickets-grouping\"");
            response.setKeepAlive(false);  // the body was not read
            send_error(response, HTTPResponse::HTTP_UNAUTHORIZED, "missing or wrong credentials");
        });
    }
    if (path == "/webhook")
        return only(HTTPRequest::HTTP_POST.c_str(), [&] { return new WebhookHandler(runtime_); });
    if (path == "/healthz")
        return only(HTTPRequest::HTTP_GET.c_str(), [] {
            return new FunctionHandler(
                [](HTTPServerRequest&, HTTPServerResponse& r) { send_ok(r); });
        });
    if (path == "/readyz")
        return only(HTTPRequest::HTTP_GET.c_str(), [&] {
            return new FunctionHandler(
                [this](HTTPServerRequest&, HTTPServerResponse& r) { readiness(runtime_, r); });
        });
    if (path == "/-/reload")
        return only(HTTPRequest::HTTP_POST.c_str(), [&] {
            return new FunctionHandler([this](HTTPServerRequest&, HTTPServerResponse& response) {
                const std::string error =
                    runtime_.reload ? runtime_.reload() : "reload is not available";
                if (error.empty())
                    send_ok(response);
                else
                    send_error(response, HTTPResponse::HTTP_BAD_REQUEST, error);
            });
        });
    if (path == "/metrics")
        return only(HTTPRequest::HTTP_GET.c_str(), [&] {
            return new FunctionHandler([this](HTTPServerRequest&, HTTPServerResponse& response) {
                const std::string text = runtime_.metrics.render();
                response.setStatusAndReason(HTTPResponse::HTTP_OK);
                response.setContentType("text/plain; version=0.0.4; charset=utf-8");
                response.setContentLength(static_cast<std::streamsize>(text.size()));
                response.send() << text;
            });
        });
    return new FunctionHandler([path](HTTPServerRequest&, HTTPServerResponse& response) {
        send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such path: " + path.substr(0, 200));
    });
}

}  // namespace tg::host
