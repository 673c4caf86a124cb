// The HTTP(S) client against local loopback servers: what goes on the wire, how failures are
// classified, keep-alive, and TLS verification (CA file, strict host names on loopback).
#include "redmine_client.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <thread>

using namespace tg::redmine;
using Catch::Matchers::Contains;

namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef01234567";
const std::string kTls = std::string(TG_RG_SOURCE_DIR) + "/tls/";

struct Recorded {
    std::string method, uri, api_key, content_type, body, peer;
};

struct Log {
    std::mutex mutex;
    std::vector<Recorded> requests;
};

class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(Log& log) : log_(log) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& res) override {
        Recorded r{req.getMethod(),
                   req.getURI(),
                   req.get("X-Redmine-API-Key", ""),
                   req.get("Content-Type", ""),
                   "",
                   req.clientAddress().toString()};
        Poco::StreamCopier::copyToString(req.stream(), r.body);
        {
            std::lock_guard lock(log_.mutex);
            log_.requests.push_back(r);
        }
        auto send = [&](Poco::Net::HTTPResponse::HTTPStatus status, const std::string& body,
                        const std::string& type = "application/json") {
            res.setStatusAndReason(status);
            res.setContentType(type);
            res.setContentLength(static_cast<std::streamsize>(body.size()));
            res.send() << body;
        };
        const std::string& uri = r.uri;
        if (uri == "/status/500")
            return send(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "");
        if (uri == "/status/401") return send(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED, "");
        if (uri == "/status/404") return send(Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "");
        if (uri == "/status/422")
            return send(
                Poco::Net::HTTPResponse::HTTP_UNPROCESSABLE_ENTITY,
                R"({"errors":["件名は255文字以内で入力してください","親チケットは無効です"]})");
        if (uri == "/html")
            return send(Poco::Net::HTTPResponse::HTTP_OK, "<html>login</html>", "text/html");
        if (uri == "/slow") {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            return send(Poco::Net::HTTPResponse::HTTP_OK, "{}");
        }
        if (r.method == "POST")
            return send(Poco::Net::HTTPResponse::HTTP_CREATED, R"({"issue":{"id":7}})");
        if (r.method == "PUT") {
            res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
            res.setContentLength(0);
            res.send();
            return;
        }
        send(Poco::Net::HTTPResponse::HTTP_OK, R"({"ok":true})");
    }

  private:
    Log& log_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(Log& log) : log_(log) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new Handler(log_);
    }

  private:
    Log& log_;
};

// A loopback HTTP or HTTPS server for the length of a test.
struct Server {
    Log log;
    std::unique_ptr<Poco::Net::HTTPServer> server;
    uint16_t port = 0;

    explicit Server(const std::string& cert_name = "") {
        Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
        params->setKeepAlive(true);
        params->setMaxThreads(4);
        if (cert_name.empty()) {
            Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
            port = socket.address().port();
            server = std::make_unique<Poco::Net::HTTPServer>(new Factory(log), socket, params);
        } else {
            Poco::Net::Context::Ptr context = new Poco::Net::Context(
                Poco::Net::Context::SERVER_USE, kTls + cert_name + ".key",
                kTls + cert_name + ".crt", "", Poco::Net::Context::VERIFY_NONE);
            Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64,
                                                 context);
            port = socket.address().port();
            server = std::make_unique<Poco::Net::HTTPServer>(new Factory(log), socket, params);
        }
        server->start();
    }
    // stopAll does not wait for handlers still running (the /slow one): wait for them, or one
    // could outlive the test and touch Poco's statics while the process exits.
    ~Server() {
        server->stopAll(true);
        for (int i = 0; i < 200 && server->currentThreads() > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::string url(const std::string& scheme = "http",
                    const std::string& host = "127.0.0.1") const {
        return scheme + "://" + host + ":" + std::to_string(port);
    }
};

ClientOptions options(const std::string& url, const std::string& ca_file = "", bool verify = true) {
    return {url, kKey, ca_file, verify, std::chrono::milliseconds(800)};
}

template <class Exception, class F>
std::string expect_throw(F&& f) {
    try {
        f();
    } catch (const Exception& e) {
        return e.what();
    } catch (const std::exception& e) {
        FAIL("wrong exception type: " << e.what());
    }
    FAIL("no exception");
    return {};
}

}  // namespace

TEST_CASE("the key travels only in its header, writes are JSON, one connection is reused",
          "[client]") {
    Server server;
    RedmineClient client(options(server.url() + "/redmine/"));
    CHECK(client.get("/issues.json?subject=" + RedmineClient::encode("[Alert] a|b (c)"))
              ->getValue<bool>("ok"));
    Poco::JSON::Object body;
    body.set("issue", Poco::JSON::Object::Ptr(new Poco::JSON::Object));
    CHECK(client.post("/issues.json", body, "create")->getObject("issue")->getValue<int>("id") ==
          7);
    client.put("/issues/7.json", body, "note");
    REQUIRE(server.log.requests.size() == 3);
    std::set<std::string> peers;
    for (const auto& r : server.log.requests) {
        CHECK(r.api_key == kKey);
        CHECK(r.uri.find(kKey) == std::string::npos);
        CHECK(r.uri.rfind("/redmine/", 0) == 0);  // the URL's path prefix is kept
        peers.insert(r.peer);
    }
    CHECK(server.log.requests[0].uri ==
          "/redmine/issues.json?subject=%5BAlert%5D%20a%7Cb%20%28c%29");
    CHECK(server.log.requests[1].content_type == "application/json");
    CHECK(server.log.requests[1].body == R"({"issue":{}})");
    CHECK(server.log.requests[2].content_type == "application/json");
    CHECK(peers.size() == 1);  // keep-alive
    CHECK(client.counts().get == 1);
    CHECK(client.counts().post == 1);
    CHECK(client.counts().put == 1);
}

TEST_CASE("failures are classified: refusals drop, outages retry", "[client]") {
    Server server;
    RedmineClient client(options(server.url()));
    CHECK_THAT(expect_throw<tg::RetryLater>([&] { client.get("/status/500"); }),
               Contains("HTTP 500"));
    const std::string e422 = expect_throw<tg::Drop>([&] { client.get("/status/422"); });
    CHECK_THAT(e422, Contains("件名は255文字以内で入力してください; 親チケットは無効です"));
    CHECK_THAT(expect_throw<tg::Drop>([&] { client.get("/status/401"); }),
               Contains("API key was refused"));
    CHECK_THAT(expect_throw<tg::Drop>([&] { client.get("/status/404"); }), Contains("HTTP 404"));
    CHECK(client.get_if_exists("/status/404").isNull());
    CHECK_THAT(expect_throw<tg::RetryLater>([&] { client.get("/html"); }),
               Contains("without a JSON"));
    CHECK_THAT(expect_throw<tg::RetryLater>([&] { client.get("/slow"); }), Contains("GET /slow"));
    CHECK(client.get("/after-timeout.json")->getValue<bool>("ok"));  // the session was reset
    for (const auto& r : server.log.requests) CHECK(r.uri.find(kKey) == std::string::npos);

    RedmineClient refused(options("http://127.0.0.1:9"));
    const std::string e = expect_throw<tg::RetryLater>([&] { refused.get("/issues.json"); });
    CHECK_THAT(e, !Contains(kKey));
}

TEST_CASE("a dry run describes writes without sending them", "[client]") {
    Server server;
    RedmineClient client(options(server.url()));
    std::vector<std::string> lines;
    client.set_dry_run([&](const std::string& l) { lines.push_back(l); });
    Poco::JSON::Object body;
    CHECK(
        client.post("/issues.json", body, "create x")->getObject("issue")->getValue<int64_t>("id") <
        0);
    client.put("/issues/1.json", body, "note");
    CHECK(server.log.requests.empty());
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "dry run: would POST /issues.json (create x)");
}

TEST_CASE("TLS: verified against the CA file, host names checked even on loopback",
          "[client][tls]") {
    Server good("localhost");
    SECTION("trusted certificate for the host name") {
        RedmineClient client(options(good.url("https", "localhost"), kTls + "localhost.crt"));
        CHECK(client.get("/x.json")->getValue<bool>("ok"));
        CHECK(good.log.requests.at(0).api_key == kKey);
    }
    SECTION("unknown CA (default CAs only)") {
        RedmineClient client(options(good.url("https", "localhost")));
        expect_throw<tg::RetryLater>([&] { client.get("/x.json"); });
    }
    SECTION("the wrong CA file") {
        RedmineClient client(options(good.url("https", "localhost"), kTls + "wrongname.crt"));
        expect_throw<tg::RetryLater>([&] { client.get("/x.json"); });
    }
    SECTION("verification off") {
        RedmineClient client(options(good.url("https", "127.0.0.1"), "", false));
        CHECK(client.get("/x.json")->getValue<bool>("ok"));
    }
    SECTION("a trusted certificate for another name on 127.0.0.1 is refused") {
        Server wrong("wrongname");
        RedmineClient client(options(wrong.url("https", "127.0.0.1"), kTls + "wrongname.crt"));
        expect_throw<tg::RetryLater>([&] { client.get("/x.json"); });
        CHECK(wrong.log.requests.empty());
    }
    CHECK(good.log.requests.size() <= 1);
}
