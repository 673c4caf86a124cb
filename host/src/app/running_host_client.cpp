#include "app/running_host_client.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>

#include <sstream>

namespace tg::host {
namespace {

// The host's own address as seen from this machine: a wildcard listener is reached on loopback.
Poco::Net::SocketAddress loopback_of(const std::string& listen) {
    Poco::Net::SocketAddress address(listen);
    if (address.host().isWildcard())
        return Poco::Net::SocketAddress(
            address.family() == Poco::Net::AddressFamily::IPv6 ? "::1" : "127.0.0.1",
            address.port());
    return address;
}

std::string authorization(const WebhookAuth& auth) {
    if (auth.bearer_token) return "Bearer " + *auth.bearer_token;
    if (!auth.basic_username) return "";
    std::ostringstream encoded;
    Poco::Base64Encoder encoder(encoded);
    encoder.rdbuf()->setLineLength(0);
    encoder << *auth.basic_username << ':' << auth.basic_password.value_or("");
    encoder.close();
    return "Basic " + encoded.str();
}

}  // namespace

CommandOutput send_to_running_host(const std::string& state_dir, const RunningHost& host,
                                   const WebhookAuth& auth, const std::string& path_and_query,
                                   const std::string& body) {
    const std::string in_use = in_use_message(state_dir, host);
    if (host.listen.empty())
        throw RunningHostRefused(in_use + ", which does not listen yet: try again, or stop it");
    if (host.tls)
        throw RunningHostRefused(in_use + ", which listens with TLS: stop it to run this here");
    try {
        const auto address = loopback_of(host.listen);
        Poco::Net::HTTPClientSession session(address);
        session.setTimeout(Poco::Timespan(180, 0));  // the worker may be in a call (120 s)
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path_and_query,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        if (const auto header = authorization(auth); !header.empty())
            request.set("Authorization", header);
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        std::stringstream text;
        text << in.rdbuf();
        Poco::JSON::Object::Ptr json;
        try {
            json = Poco::JSON::Parser().parse(text.str()).extract<Poco::JSON::Object::Ptr>();
        } catch (const Poco::Exception&) {
        }
        if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK || !json ||
            !json->has("exit_code")) {
            const std::string why =
                json ? json->optValue<std::string>("error", text.str()) : text.str();
            throw RunningHostRefused(in_use + ", which refused the command: " +
                                     std::to_string(response.getStatus()) + " " + why);
        }
        CommandOutput output;
        output.exit_code = json->getValue<int>("exit_code");
        output.out = json->optValue<std::string>("out", "");
        output.err = json->optValue<std::string>("err", "");
        return output;
    } catch (const Poco::Exception& e) {
        throw RunningHostRefused(in_use + ", which cannot be reached on " + host.listen + ": " +
                                 e.displayText());
    }
}

}  // namespace tg::host
