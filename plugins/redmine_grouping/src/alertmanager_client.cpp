#include "alertmanager_client.hpp"

#include "http_session.hpp"
#include "system/file_read.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <map>
#include <memory>
#include <stdexcept>

namespace tg::redmine {

namespace {

// A secret file's content, trimmed, read at each run (a rotated secret is taken at once).
std::string secret_from(const std::string& path) {
    const auto read = common::read_file_head(path, 64 * 1024);
    if (!read.content)
        throw std::runtime_error("cannot read the secret file '" + path + "': " + read.error);
    const std::string text = Poco::trim(*read.content);
    if (text.empty()) throw std::runtime_error("the secret file '" + path + "' is empty");
    return text;
}

}  // namespace

std::string AlertmanagerClient::fetch(const std::string& url) const {
    const Poco::URI uri(url);
    auto session = open_http_session({uri.getScheme(), uri.getHost(), uri.getPort(),
                                      access_.ca_file, access_.tls_verify, timeout_});
    // Every state (active, silenced, inhibited, unprocessed): Alertmanager's defaults, said.
    Poco::Net::HTTPRequest request(
        Poco::Net::HTTPRequest::HTTP_GET,
        uri.getPath() + "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true",
        Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Accept", "application/json");
    if (!access_.bearer_token_file.empty())
        request.set("Authorization", "Bearer " + secret_from(access_.bearer_token_file));
    else if (!access_.basic_username.empty())
        Poco::Net::HTTPBasicCredentials(access_.basic_username,
                                        secret_from(access_.basic_password_file))
            .authenticate(request);
    try {
        session->sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& in = session->receiveResponse(response);
        const std::string body = read_body(in, kMaxAnswerBytes);
        if (body.size() > kMaxAnswerBytes)
            throw std::runtime_error("the answer is larger than " +
                                     std::to_string(kMaxAnswerBytes >> 20) + " MiB");
        if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
            throw std::runtime_error("HTTP " + std::to_string(response.getStatus()) + " " +
                                     response.getReason());
        return body;
    } catch (const Poco::Exception& e) {
        throw std::runtime_error(e.displayText());
    }
}

std::vector<ListedAlert> AlertmanagerClient::parse_alerts(std::string_view json) {
    Poco::JSON::Array::Ptr list;
    try {
        auto parsed = Poco::JSON::Parser().parse(std::string(json));
        if (parsed.type() != typeid(Poco::JSON::Array::Ptr))
            throw std::invalid_argument("the answer is not a JSON list of alerts");
        list = parsed.extract<Poco::JSON::Array::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("the answer is not JSON: " + e.displayText());
    }
    std::vector<ListedAlert> out;
    for (size_t i = 0; i < list->size(); ++i) {
        const auto item = list->getObject(static_cast<unsigned>(i));
        if (!item || !item->getObject("labels"))
            throw std::invalid_argument("alert " + std::to_string(i) + " has no labels object");
        const auto status = item->getObject("status");
        if (!status || !status->has("state"))
            throw std::invalid_argument("alert " + std::to_string(i) + " has no status.state");
        // The webhook's fields but `status` (an object here) and endsAt (Alertmanager's own
        // resolve timeout for a firing alert: the webhook says nothing of it).
        Poco::JSON::Object::Ptr fields = new Poco::JSON::Object(*item);
        fields->remove("status");
        fields->remove("endsAt");
        ListedAlert listed;
        try {
            listed.alert = decode_alert(fields);
        } catch (const std::invalid_argument&) {
            continue;  // no alertname: the webhook's would be refused too
        } catch (const Poco::Exception& e) {
            throw std::invalid_argument("alert " + std::to_string(i) + ": " + e.displayText());
        }
        listed.alert.firing = true;
        listed.suppressed = status->optValue<std::string>("state", "") == "suppressed";
        out.push_back(std::move(listed));
    }
    return out;
}

AlertmanagerAnswer AlertmanagerClient::list_alerts() {
    AlertmanagerAnswer answer;
    std::map<std::map<std::string, std::string>, size_t> by_labels;  // index in answer.alerts
    for (const auto& url : access_.urls) {
        std::vector<ListedAlert> alerts;
        try {
            alerts = parse_alerts(fetch(url));
        } catch (const std::exception& e) {
            answer.failures.push_back(url + ": " + e.what());
            continue;
        }
        ++answer.answered;
        for (auto& listed : alerts) {
            const auto [at, added] = by_labels.emplace(listed.alert.labels, answer.alerts.size());
            if (added)
                answer.alerts.push_back(std::move(listed));
            else if (listed.suppressed)  // a silence not gossiped to every peer yet
                answer.alerts[at->second].suppressed = true;
        }
    }
    return answer;
}

}  // namespace tg::redmine
