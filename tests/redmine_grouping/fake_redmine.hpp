// A stand-in Redmine on loopback for unit tests at the client's boundary: answers from a table
// (exact URI first, then the path without its query), or from a function; records every request.
// The real Redmine's behaviour is tested against the real Redmine (label `redmine`); this one
// serves answers shaped like versions we cannot run here (tests/fixtures/redmine/<version>/).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServer;
}

namespace rgtest {

struct FakeRequest {
    std::string method, uri, body, accept;
    std::string authorization;  // the header, for a client that sends credentials
};

struct FakeAnswer {
    FakeAnswer(int status_ = 200, std::string body_ = "",
               std::string content_type_ = "application/json",
               std::map<std::string, std::string> headers_ = {})
        : status(status_),
          body(std::move(body_)),
          content_type(std::move(content_type_)),
          headers(std::move(headers_)) {}
    int status;
    std::string body;
    std::string content_type;
    std::map<std::string, std::string> headers;  // more response headers (Retry-After, ...)
};

class FakeRedmine {
  public:
    using Dynamic = std::function<std::optional<FakeAnswer>(const FakeRequest&)>;
    FakeRedmine();
    ~FakeRedmine();
    FakeRedmine(const FakeRedmine&) = delete;
    FakeRedmine& operator=(const FakeRedmine&) = delete;

    // `target` is a full URI (/issues.json?limit=1) or a path (/issues.json): every query.
    void answer(const std::string& method, const std::string& target, FakeAnswer answer);
    void answer_file(const std::string& method, const std::string& target, const std::string& file,
                     int status = 200);
    // Asked before the table; nullopt falls through to it.
    void answer_with(Dynamic dynamic);

    std::string url() const;
    std::vector<FakeRequest> requests() const;
    size_t count(const std::string& method, const std::string& path_prefix) const;

    FakeAnswer respond(const FakeRequest& request);  // for the server's handler

  private:
    mutable std::mutex mutex_;
    std::map<std::string, FakeAnswer> table_;  // "METHOD target"
    Dynamic dynamic_;
    std::vector<FakeRequest> requests_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    unsigned short port_ = 0;
};

std::string read_text(const std::string& path);

}  // namespace rgtest
