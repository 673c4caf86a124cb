// log_sink: the reference sink. Appends every alert of a notification to a file as one JSON line,
// and makes the lines durable (fsync) before reporting success.
//
// Config:  path: /var/log/alerts.jsonl   (required)
#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <sstream>

namespace {

class LogSink : public tg::Sink {
  public:
    explicit LogSink(const tg::SinkContext& context) : host_(context.host) {
        auto config =
            Poco::JSON::Parser().parse(context.config_json).extract<Poco::JSON::Object::Ptr>();
        for (const auto& [key, value] : *config)
            if (key != "path")
                throw std::invalid_argument("log_sink: unknown config key '" + key + "'");
        if (!config->has("path") || !config->get("path").isString() ||
            config->getValue<std::string>("path").empty())
            throw std::invalid_argument("log_sink: config key 'path' (a file name) is required");
        path_ = config->getValue<std::string>("path");
        // Opened once; O_APPEND keeps each write() at the end even if another process appends, and
        // reading is for cutting a torn last line.
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd_ < 0)
            throw std::invalid_argument("log_sink: cannot open '" + path_ +
                                        "': " + std::strerror(errno));
        cut_torn_tail();
    }
    ~LogSink() override { ::close(fd_); }

    void deliver(const tg::Delivery& delivery) override {
        auto notification = Poco::JSON::Parser()
                                .parse(std::string(delivery.notification_json))
                                .extract<Poco::JSON::Object::Ptr>();
        auto alerts = notification->getArray("alerts");
        std::ostringstream lines;
        for (size_t i = 0; alerts && i < alerts->size(); ++i) {
            Poco::JSON::Object line;
            line.set("receiver", notification->optValue<std::string>("receiver", ""));
            line.set("route", std::string(delivery.route));
            line.set("idempotency_key", std::string(delivery.idempotency_key));
            line.set("alert", alerts->getObject(i));
            line.stringify(lines);
            lines << '\n';
        }
        const std::string text = lines.str();
        if (delivery.dry_run) {
            host_.info("dry run: would append " + std::to_string(alerts ? alerts->size() : 0) +
                       " line(s) to " + path_);
            return;
        }
        write_all(text);
        if (::fsync(fd_) != 0)
            throw tg::RetryLater("log_sink: fsync failed: " + std::string(std::strerror(errno)));
    }

  private:
    // A kill -9 inside write() can leave part of a line (the kernel stops a write between pages
    // when the process is killed). That delivery was never acknowledged, so it comes again: cut
    // the torn part so the file holds whole JSON lines only.
    void cut_torn_tail() {
        const off_t size = ::lseek(fd_, 0, SEEK_END);
        off_t end = size;
        char buffer[4096];
        while (end > 0) {
            const off_t from = end > off_t(sizeof buffer) ? end - off_t(sizeof buffer) : 0;
            const ssize_t n = ::pread(fd_, buffer, size_t(end - from), from);
            if (n != end - from)
                throw std::invalid_argument("log_sink: cannot read '" + path_ + "'");
            const void* newline = ::memrchr(buffer, '\n', size_t(n));
            if (newline) {
                end = from + (static_cast<const char*>(newline) - buffer) + 1;
                break;
            }
            end = from;
        }
        if (end == size) return;
        if (::ftruncate(fd_, end) != 0)
            throw std::invalid_argument("log_sink: cannot cut the torn last line of '" + path_ +
                                        "': " + std::strerror(errno));
        host_.warn("log_sink: cut a torn last line (" + std::to_string(size - end) + " bytes) of " +
                   path_ + "; its delivery had not been acknowledged");
    }

    // Appends whole lines or nothing: a failed write is cut back so a retry never leaves half a
    // line.
    void write_all(const std::string& text) {
        const off_t start = ::lseek(fd_, 0, SEEK_END);
        size_t done = 0;
        while (done < text.size()) {
            ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                const std::string reason = std::strerror(errno);
                if (start >= 0 && ::ftruncate(fd_, start) != 0)
                    host_.warn("log_sink: cannot cut back " + path_);
                throw tg::RetryLater("log_sink: write to " + path_ + " failed: " + reason);
            }
            done += static_cast<size_t>(n);
        }
    }

    tg::HostServices host_;
    std::string path_;
    int fd_ = -1;
};

}  // namespace

// TG_SINK_VERSION: the project's version (tg_sink_version in plugins/CMakeLists.txt).
TG_SINK_PLUGIN(LogSink, "log_sink", TG_SINK_VERSION)
