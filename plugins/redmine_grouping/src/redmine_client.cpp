#include "redmine_client.hpp"

#include "http_session.hpp"

#include <chrono>

#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <algorithm>
#include <sstream>

namespace tg::redmine {

RedmineClient::RedmineClient(ClientOptions options, std::shared_ptr<RequestPacer> pacer)
    : options_(std::move(options)),
      pacer_(pacer ? std::move(pacer)
                   : std::make_shared<RequestPacer>(options_.max_requests_per_second)) {
    Poco::URI uri(options_.url);
    scheme_ = uri.getScheme();
    host_ = uri.getHost();
    port_ = uri.getPort();
    base_path_ = uri.getPath();
    while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
}

RedmineClient::~RedmineClient() = default;

std::string RedmineClient::encode(std::string_view value) { return url_encoded(value); }

Poco::Net::HTTPClientSession& RedmineClient::session() {
    if (session_) return *session_;
    session_ = open_http_session(
        {scheme_, host_, port_, options_.ca_file, options_.tls_verify, options_.timeout});
    // Reconnect before the server's idle timeout closes the socket under a write.
    session_->setKeepAliveTimeout(Poco::Timespan(5, 0));
    session_->setKeepAlive(true);
    return *session_;
}

RedmineClient::Response RedmineClient::send(const std::string& method, const std::string& path,
                                            const std::string* body, const char* accept,
                                            bool probing) {
    if (dry_run_log_) dry_run_log_("dry run: reading " + method + " " + path);
    pacer_->wait_turn("Redmine " + method + " " + path, probing);
    if (method == "GET")
        ++counts_.get;
    else if (method == "POST")
        ++counts_.post;
    else
        ++counts_.put;
    const auto started = std::chrono::steady_clock::now();
    auto observe = [&](int status) {
        pacer_->answered(status);
        if (observer_)
            observer_(method, path, status,
                      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                started)
                          .count());
    };
    try {
        Poco::Net::HTTPRequest request(method, base_path_ + path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("X-Redmine-API-Key", options_.api_key);
        request.set("Accept", accept);
        request.setKeepAlive(true);
        if (body) {
            request.setContentType("application/json");  // without it Redmine ignores the body
            request.setContentLength(static_cast<std::streamsize>(body->size()));
        }
        auto& s = session();
        std::ostream& out = s.sendRequest(request);
        if (body) out << *body;
        Poco::Net::HTTPResponse response;
        std::istream& in = s.receiveResponse(response);
        Response r;
        r.status = static_cast<int>(response.getStatus());
        r.reason = response.getReason();
        r.body = read_body(in, kMaxAnswerBytes);
        if (r.status == 429 || r.status == 503) {
            r.retry_after = response.get("Retry-After", "");
            pacer_->answered_busy(r.retry_after);
        }
        // A body left unread cannot stay on a kept-alive connection.
        if (!response.getKeepAlive() || r.body.size() > kMaxAnswerBytes) session_.reset();
        observe(r.status);
        return r;
    } catch (const Poco::Exception& e) {
        observe(0);
        session_.reset();
        throw tg::RetryLater("Redmine " + method + " " + path + ": " + e.displayText());
    } catch (const std::exception& e) {
        observe(0);
        session_.reset();
        throw tg::RetryLater("Redmine " + method + " " + path + ": " + e.what());
    }
}

size_t RedmineClient::json_depth(std::string_view json) {
    // Brackets outside strings: the parser's own depth error would read as a malformed answer.
    size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

void RedmineClient::fail(const std::string& method, const std::string& path, const Response& r) {
    std::string what = "Redmine " + method + " " + path + ": HTTP " + std::to_string(r.status) +
                       (r.reason.empty() ? "" : " " + r.reason);
    if (r.status == 422 || r.status == 400) {
        try {
            auto obj = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
            if (auto errors = obj->getArray("errors")) {
                std::string list;
                for (size_t i = 0; i < errors->size(); ++i)
                    list +=
                        (i ? "; " : "") + errors->getElement<std::string>(static_cast<unsigned>(i));
                what += ": " + (list.empty() ? std::string("(no error text)") : list);
            }
        } catch (const std::exception&) {  // Poco::Exception included: keep the status text
        }
    } else if (r.status == 401) {
        what += ": the API key was refused";
    } else if (r.status == 403) {
        what += ": the API key's user may not do this (or the REST API is off)";
    } else if (r.status == 404) {
        what += ": not found (or not visible to the API key's user)";
    }
    if (!r.retry_after.empty()) what += " (Retry-After: " + r.retry_after + ")";
    if (r.status >= 500 || r.status == 408 || r.status == 429) throw tg::RetryLater(what);
    throw tg::Drop(what);
}

Poco::JSON::Object::Ptr RedmineClient::parse(const std::string& method, const std::string& path,
                                             const Response& r) {
    if (r.body.size() > kMaxAnswerBytes)
        throw tg::Drop("Redmine " + method + " " + path + ": the answer is larger than " +
                       std::to_string(kMaxAnswerBytes >> 20) + " MiB, the limit; not read");
    if (r.status < 200 || r.status > 299) fail(method, path, r);
    if (r.body.find_first_not_of(" \r\n\t") == std::string::npos) return new Poco::JSON::Object;
    if (json_depth(r.body) > kMaxJsonDepth)
        throw tg::Drop("Redmine " + method + " " + path + ": the answer nests deeper than " +
                       std::to_string(kMaxJsonDepth) + " levels, the limit; not parsed");
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(kMaxJsonDepth);
        auto parsed = parser.parse(r.body);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
            return parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
    }
    // A proxy's HTML page or a half-sent body: worth another try later.
    throw tg::RetryLater("Redmine " + method + " " + path + ": HTTP " + std::to_string(r.status) +
                         " without a JSON object body");
}

std::string RedmineClient::get_page(const std::string& path) {
    Response r = send("GET", path, nullptr, "text/html");
    if (r.body.size() > kMaxAnswerBytes)
        throw tg::Drop("Redmine GET " + path + ": the page is larger than " +
                       std::to_string(kMaxAnswerBytes >> 20) + " MiB, the limit; not read");
    if (r.status < 200 || r.status > 299) fail("GET", path, r);
    return r.body;
}

Poco::JSON::Object::Ptr RedmineClient::get(const std::string& path) {
    return parse("GET", path, send("GET", path, nullptr));
}

Poco::JSON::Object::Ptr RedmineClient::probe(const std::string& path) {
    return parse("GET", path, send("GET", path, nullptr, "application/json", true));
}

Poco::JSON::Object::Ptr RedmineClient::get_if_exists(const std::string& path) {
    Response r = send("GET", path, nullptr);
    if (r.status == 404) return nullptr;
    return parse("GET", path, r);
}

namespace {
std::string to_json(const Poco::JSON::Object& body) {
    std::ostringstream out;
    body.stringify(out);
    return out.str();
}
}  // namespace

Poco::JSON::Object::Ptr RedmineClient::post(const std::string& path, const Poco::JSON::Object& body,
                                            const std::string& summary) {
    if (dry_run_log_) {
        dry_run_log_("dry run: would POST " + path + " (" + summary + ")");
        // A stand-in answer so the rest of the plan can be described; ids are negative.
        Poco::JSON::Object::Ptr issue = new Poco::JSON::Object;
        issue->set("id", --fake_ids_ - 1000);
        Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
        answer->set("issue", issue);
        return answer;
    }
    const std::string text = to_json(body);
    return parse("POST", path, send("POST", path, &text));
}

void RedmineClient::put(const std::string& path, const Poco::JSON::Object& body,
                        const std::string& summary) {
    if (dry_run_log_) {
        dry_run_log_("dry run: would PUT " + path + " (" + summary + ")");
        return;
    }
    const std::string text = to_json(body);
    parse("PUT", path, send("PUT", path, &text));
}

}  // namespace tg::redmine
