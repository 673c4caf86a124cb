#include "http/admin_commands.hpp"

#include "http/responses.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

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
    const size_t limit = runtime.config()->server.max_body_bytes;
    if (request.hasContentLength() && request.getContentLength64() > static_cast<int64_t>(limit)) {
        response.setKeepAlive(false);
        return send_error(response, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE,
                          "body over server.max_body_bytes");
    }
    std::string body(std::min(limit + 1, static_cast<size_t>(request.hasContentLength()
                                                                 ? request.getContentLength64()
                                                                 : limit + 1)),
                     '\0');
    request.stream().read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<size_t>(request.stream().gcount()));
    if (body.size() > limit) {
        response.setKeepAlive(false);
        return send_error(response, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE,
                          "body over server.max_body_bytes");
    }
    const std::string source = parameter(request, "source");
    send_output(response, runtime.replay(body, source.empty() ? "replay" : source,
                                         parameter(request, "dry_run") == "true"));
}

}  // namespace tg::host
