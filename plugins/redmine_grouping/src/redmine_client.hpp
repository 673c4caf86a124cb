// Redmine's REST API over one keep-alive HTTP(S) session. The API key travels only in the
// X-Redmine-API-Key header: never in a URL, a log line or an error message.
#pragma once

#include "request_pacer.hpp"
#include "tracker.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tg::redmine {

struct ClientOptions {
    std::string url;
    std::string api_key;
    std::string ca_file;
    bool tls_verify = true;
    std::chrono::milliseconds timeout{30000};
    double max_requests_per_second = 0;  // 0: as fast as Redmine answers
};

struct RequestCounts {
    int get = 0;
    int post = 0;
    int put = 0;
    int total() const { return get + post + put; }
};

class RedmineClient final : public Tracker {
  public:
    // `pacer`: the one its sink's other clients share (their rate and backoff are the sink's);
    // none: one of its own, at options.max_requests_per_second.
    explicit RedmineClient(ClientOptions options, std::shared_ptr<RequestPacer> pacer = nullptr);
    ~RedmineClient() override;

    // Tracker, as Redmine's REST calls (redmine_client_issues.cpp).
    Poco::JSON::Object::Ptr find_issue(int64_t id, IssueDetail detail) override;
    Poco::JSON::Object::Ptr create_issue(const Poco::JSON::Object& fields,
                                         const std::string& summary) override;
    void update_issue(int64_t id, const Poco::JSON::Object& fields,
                      const std::string& summary) override;
    IssueList search_issues(const IssueQuery& query) override;
    Poco::JSON::Object::Ptr read(const std::string& path) override { return get(path); }
    std::string read_page(const std::string& path) override { return get_page(path); }
    bool dry_run() const override { return static_cast<bool>(dry_run_log_); }

    // The REST calls themselves.
    // Each throws tg::RetryLater (I/O, timeout, 5xx) or tg::Drop (401/403/404/422, ...).
    Poco::JSON::Object::Ptr get(const std::string& path);
    // A GET that goes out even while a run of failures holds the others: the host's probe of
    // whether Redmine is healthy (a good answer ends the hold).
    Poco::JSON::Object::Ptr probe(const std::string& path);
    // As get, but a 404 is an answer (nullptr), not an error.
    Poco::JSON::Object::Ptr get_if_exists(const std::string& path);
    // An HTML page Redmine renders for the API key's user (the issue page shows the text
    // formatting, see text_format.hpp).
    std::string get_page(const std::string& path);
    Poco::JSON::Object::Ptr post(const std::string& path, const Poco::JSON::Object& body,
                                 const std::string& summary);
    void put(const std::string& path, const Poco::JSON::Object& body, const std::string& summary);

    // In a dry run writes are only described through `log`; reads still go to Redmine.
    void set_dry_run(std::function<void(const std::string&)> log) { dry_run_log_ = std::move(log); }
    // Told of every request made (method, path without the key, HTTP status or 0, milliseconds).
    using Observer = std::function<void(const std::string&, const std::string&, int, double)>;
    void set_observer(Observer observer) { observer_ = std::move(observer); }

    const RequestCounts& counts() const { return counts_; }
    static std::string encode(std::string_view query_value);

    // Answers are read and parsed within these limits (a Redmine answer is a few MB at most);
    // past them the request fails with tg::Drop naming the limit.
    static constexpr size_t kMaxAnswerBytes = 32u << 20;
    static constexpr size_t kMaxJsonDepth = 32;

  private:
    struct Response {
        int status = 0;
        std::string reason;
        std::string body;
        std::string retry_after;  // of a 429 or 503
    };
    Response send(const std::string& method, const std::string& path, const std::string* body,
                  const char* accept = "application/json", bool probing = false);
    Poco::JSON::Object::Ptr parse(const std::string& method, const std::string& path,
                                  const Response& r);
    [[noreturn]] void fail(const std::string& method, const std::string& path, const Response& r);
    static size_t json_depth(std::string_view json);
    Poco::Net::HTTPClientSession& session();

    ClientOptions options_;
    std::string scheme_, host_, base_path_;
    unsigned short port_ = 0;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
    std::function<void(const std::string&)> dry_run_log_;
    Observer observer_;
    RequestCounts counts_;
    std::shared_ptr<RequestPacer> pacer_;
    int64_t fake_ids_ = 0;
};

}  // namespace tg::redmine
