#include "fake_redmine.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rgtest {

namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(FakeRedmine& fake) : fake_(fake) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& res) override {
        FakeRequest r{req.getMethod(), req.getURI(), "", req.get("Accept", ""),
                      req.get("Authorization", "")};
        Poco::StreamCopier::copyToString(req.stream(), r.body);
        const FakeAnswer a = fake_.respond(r);
        res.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.status));
        if (!a.body.empty()) res.setContentType(a.content_type);
        for (const auto& [name, value] : a.headers) res.set(name, value);
        res.setContentLength(static_cast<std::streamsize>(a.body.size()));
        res.send() << a.body;
    }

  private:
    FakeRedmine& fake_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(FakeRedmine& fake) : fake_(fake) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new Handler(fake_);
    }

  private:
    FakeRedmine& fake_;
};

}  // namespace

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

FakeRedmine::FakeRedmine() {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxThreads(8);  // a kept-alive connection holds a thread: one per client of a test
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
}

FakeRedmine::~FakeRedmine() {
    server_->stopAll(true);
    for (int i = 0; i < 200 && server_->currentThreads() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

void FakeRedmine::answer(const std::string& method, const std::string& target, FakeAnswer answer) {
    std::lock_guard lock(mutex_);
    table_[method + " " + target] = std::move(answer);
}

void FakeRedmine::answer_file(const std::string& method, const std::string& target,
                              const std::string& file, int status) {
    const bool html = file.size() > 5 && file.compare(file.size() - 5, 5, ".html") == 0;
    answer(method, target, {status, read_text(file), html ? "text/html" : "application/json"});
}

void FakeRedmine::answer_with(Dynamic dynamic) {
    std::lock_guard lock(mutex_);
    dynamic_ = std::move(dynamic);
}

FakeAnswer FakeRedmine::respond(const FakeRequest& request) {
    Dynamic dynamic;
    {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        dynamic = dynamic_;
    }
    if (dynamic)
        if (auto a = dynamic(request)) return *a;
    std::lock_guard lock(mutex_);
    if (auto it = table_.find(request.method + " " + request.uri); it != table_.end())
        return it->second;
    const std::string path = request.uri.substr(0, request.uri.find('?'));
    if (auto it = table_.find(request.method + " " + path); it != table_.end()) return it->second;
    if (request.method == "PUT") return {204, ""};
    return {404, ""};
}

std::string FakeRedmine::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<FakeRequest> FakeRedmine::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

size_t FakeRedmine::count(const std::string& method, const std::string& path_prefix) const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto& r : requests_) n += r.method == method && r.uri.rfind(path_prefix, 0) == 0;
    return n;
}

}  // namespace rgtest
