#include "http/admin_commands.hpp"

#include "http/responses.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include <algorithm>
#include <optional>
#include <sstream>

namespace tg::host {
namespace {

using Poco::Net::HTTPResponse;

std::string parameter(const Poco::Net::HTTPServerRequest& request, const std::string& name) {
    for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters())
        if (key == name) return value;
    return "";
}

void send_output(Poco::Net::HTTPServerResponse& response, const CommandOutput& output) {
    Poco::JSON::Object body;
    body.set("exit_code", output.exit_code);
    body.set("out", output.out);
    body.set("err", output.err);
    std::ostringstream text;
    body.stringify(text);
    send_json(response, HTTPResponse::HTTP_OK, text.str());
}

// The request's body, at most server.max_body_bytes; nothing (413 sent) when it is larger.
std::optional<std::string> read_body(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                                     Poco::Net::HTTPServerResponse& response) {
    const size_t limit = runtime.config()->server.max_body_bytes;
    const auto too_large = [&]() -> std::optional<std::string> {
        response.setKeepAlive(false);
        send_error(response, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE,
                   "body over server.max_body_bytes");
        return std::nullopt;
    };
    if (request.hasContentLength() && request.getContentLength64() > static_cast<int64_t>(limit))
        return too_large();
    std::string body(std::min(limit + 1, static_cast<size_t>(request.hasContentLength()
                                                                 ? request.getContentLength64()
                                                                 : limit + 1)),
                     '\0');
    request.stream().read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<size_t>(request.stream().gcount()));
    if (body.size() > limit) return too_large();
    return body;
}

}  // namespace

void send_run_hook(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                   Poco::Net::HTTPServerResponse& response) {
    const std::string hook = parameter(request, "hook");
    if (!runtime.run_hook) return send_error(response, HTTPResponse::HTTP_NOT_FOUND, "not here");
    if (hook.find(':') == std::string::npos)
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, "hook=SINK:HOOK is required");
    send_output(response, runtime.run_hook(hook, parameter(request, "dry_run") == "true"));
}

void send_replay(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                 Poco::Net::HTTPServerResponse& response) {
    if (!runtime.replay) return send_error(response, HTTPResponse::HTTP_NOT_FOUND, "not here");
    const auto body = read_body(runtime, request, response);
    if (!body) return;
    const std::string source = parameter(request, "source");
    send_output(response, runtime.replay(*body, source.empty() ? "replay" : source,
                                         parameter(request, "dry_run") == "true"));
}

void send_dry_delivery(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) {
    if (!runtime.dry_deliver) return send_error(response, HTTPResponse::HTTP_NOT_FOUND, "not here");
    const std::string sink = parameter(request, "sink");
    if (sink.empty())
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, "sink=NAME is required");
    const auto body = read_body(runtime, request, response);
    if (!body) return;
    send_output(response, runtime.dry_deliver(sink, parameter(request, "route"),
                                              parameter(request, "key"), *body));
}

}  // namespace tg::host
