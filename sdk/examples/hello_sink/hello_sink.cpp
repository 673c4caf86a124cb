// hello_sink: appends each notification to `path` as a JSON line, once per idempotency key.
#include <tickets_grouping/config.hpp>
#include <tickets_grouping/notification.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

class HelloSink : public tg::Sink {
  public:
    explicit HelloSink(const tg::SinkContext& context) : host_(context.host) {
        tg::Config config(context.config_json, "hello_sink");
        path_ = config.string("path");
        config.reject_unknown_keys();
        std::ifstream written(std::filesystem::is_regular_file(path_) ? path_ : "");  // not /dev/*
        for (std::string line; std::getline(written, line);)
            if (auto json = nlohmann::json::parse(line, nullptr, false); json.is_object())
                keys_.insert(json.value("idempotency_key", ""));
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd_ < 0) config.fail("path", "cannot be opened: " + std::string(std::strerror(errno)));
    }
    ~HelloSink() override { ::close(fd_); }
    void deliver(const tg::Delivery& d) override {
        const tg::Notification notification = tg::parse_notification(d);
        const std::string key(d.idempotency_key);
        if (keys_.count(key)) return host_.info("already written: " + key);
        if (d.dry_run) return host_.info("dry run: would append one line to " + path_);
        append({{"idempotency_key", key}, {"route", d.route}, {"notification", notification}});
        keys_.insert(key);
    }
    std::vector<tg::Hook> hooks() const override { return {{"heartbeat", "*/5 * * * *", "UTC"}}; }
    void run_hook(const tg::HookRun& run) override {
        if (run.name != "heartbeat") return tg::Sink::run_hook(run);  // throws tg::Drop
        if (run.dry_run) return host_.info("dry run: would append a heartbeat to " + path_);
        append({{"hook", "heartbeat"}, {"scheduled_unix_ms", run.scheduled_unix_ms}});
    }

  private:
    // One whole line, made durable; a failed write is cut back and retried by the host.
    void append(const nlohmann::json& value) {
        const std::string line = value.dump() + "\n";
        const off_t end = ::lseek(fd_, 0, SEEK_END);
        const ssize_t n = ::write(fd_, line.data(), line.size());
        if (n == ssize_t(line.size()) && ::fsync(fd_) == 0) return;
        const char* why = n < 0 || size_t(n) == line.size() ? std::strerror(errno) : "short write";
        if (::ftruncate(fd_, end) != 0) host_.warn("hello_sink: cannot cut back " + path_);
        throw tg::RetryLater("hello_sink: cannot write " + path_ + ": " + why);
    }

    tg::HostServices host_;
    std::string path_;
    int fd_ = -1;
    std::set<std::string> keys_;
};

TG_SINK_PLUGIN(HelloSink, "hello_sink", TG_SINK_VERSION)
