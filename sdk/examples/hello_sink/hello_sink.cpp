// hello_sink: the smallest useful sink, built against the installed SDK only (no Poco, no Boost).
//
// Every notification becomes one line of a file:
//   {"idempotency_key":"<key>","route":"<route>","notification":<the notification JSON>}
// A key already in the file is not written again (the host delivers at least once). The hook
// `heartbeat` (every 5 minutes, UTC) appends {"hook":"heartbeat","scheduled_unix_ms":<slot>}.
//
// Routing file:
//   sinks:
//     hello:
//       plugin: /tmp/hello/hello_sink.so
//       config:
//         path: /var/lib/hello/alerts.jsonl
#include <tickets_grouping/sink.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_set>

namespace {

// Reads the JSON string starting at text[i] (the opening quote); leaves i after the closing one.
std::string read_json_string(const std::string& text, size_t& i) {
    auto bad = [] { return std::invalid_argument("hello_sink: config: malformed JSON string"); };
    if (i >= text.size() || text[i] != '"') throw bad();
    std::string out;
    for (++i; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            ++i;
            return out;
        }
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i >= text.size()) throw bad();
        switch (text[i]) {
            case 'n':
                out += '\n';
                break;
            case 't':
                out += '\t';
                break;
            case 'r':
                out += '\r';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'u': {
                auto hex4 = [&](size_t at) {
                    if (at + 4 > text.size()) throw bad();
                    unsigned value = 0;
                    for (size_t k = at; k < at + 4; ++k) {
                        const char h = text[k];
                        const int digit = h >= '0' && h <= '9'   ? h - '0'
                                          : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                          : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                                 : -1;
                        if (digit < 0) throw bad();
                        value = value * 16 + static_cast<unsigned>(digit);
                    }
                    return value;
                };
                unsigned cp = hex4(i + 1);
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && text.compare(i + 1, 2, "\\u") == 0) {
                    const unsigned low = hex4(i + 3);
                    if (low < 0xDC00 || low > 0xDFFF) throw bad();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    i += 6;
                }
                if (cp < 0x80) {
                    out += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    out += static_cast<char>(0xC0 | (cp >> 6));
                    out += static_cast<char>(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    out += static_cast<char>(0xE0 | (cp >> 12));
                    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    out += static_cast<char>(0x80 | (cp & 0x3F));
                } else {
                    out += static_cast<char>(0xF0 | (cp >> 18));
                    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
                    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    out += static_cast<char>(0x80 | (cp & 0x3F));
                }
                break;
            }
            default:
                out += text[i];  // \" \\ \/
        }
    }
    throw bad();
}

// The config is {"path": "..."} and nothing else: anything more is refused, so a typo is caught.
std::string config_path(const std::string& json) {
    auto skip_space = [&](size_t& i) {
        while (i < json.size() && std::strchr(" \t\r\n", json[i]) && json[i] != '\0') ++i;
    };
    auto expect = [&](size_t& i, char c) {
        skip_space(i);
        if (i >= json.size() || json[i] != c)
            throw std::invalid_argument("hello_sink: config must be {\"path\": \"<file>\"}");
        ++i;
    };
    size_t i = 0;
    std::string path;
    expect(i, '{');
    skip_space(i);
    for (bool first = true; i >= json.size() || json[i] != '}'; first = false) {
        if (!first) expect(i, ',');
        skip_space(i);
        const std::string key = read_json_string(json, i);
        if (key != "path")
            throw std::invalid_argument("hello_sink: unknown config key '" + key + "'");
        expect(i, ':');
        skip_space(i);
        path = read_json_string(json, i);
        skip_space(i);
    }
    if (path.empty())
        throw std::invalid_argument("hello_sink: config key 'path' (a file name) is required");
    return path;
}

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

class HelloSink : public tg::Sink {
  public:
    // Throwing std::invalid_argument here means "bad config": the host refuses to start.
    explicit HelloSink(const tg::SinkContext& context)
        : host_(context.host), path_(config_path(context.config_json)) {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd_ < 0)
            throw std::invalid_argument("hello_sink: cannot open '" + path_ +
                                        "': " + std::strerror(errno));
        load_written_keys();
    }
    ~HelloSink() override { ::close(fd_); }

    void deliver(const tg::Delivery& delivery) override {
        const std::string key(delivery.idempotency_key);
        if (written_.count(key)) {
            host_.info("already written: " + key);
            return;
        }
        // Raw newlines only occur between tokens of valid JSON: one notification, one line.
        std::string notification(delivery.notification_json);
        for (char& c : notification)
            if (c == '\n' || c == '\r') c = ' ';
        if (delivery.dry_run) {
            host_.info("dry run: would append one line to " + path_);
            return;
        }
        append("{\"idempotency_key\":" + json_quote(key) + ",\"route\":" +
               json_quote(delivery.route) + ",\"notification\":" + notification + "}\n");
        written_.insert(key);
    }

    std::vector<tg::Hook> hooks() const override { return {{"heartbeat", "*/5 * * * *", "UTC"}}; }

    void run_hook(const tg::HookRun& run) override {
        if (run.name != "heartbeat") tg::Sink::run_hook(run);  // throws tg::Drop
        if (run.dry_run) {
            host_.info("dry run: would append a heartbeat to " + path_);
            return;
        }
        append("{\"hook\":\"heartbeat\",\"scheduled_unix_ms\":" +
               std::to_string(run.scheduled_unix_ms) + "}\n");
    }

  private:
    // Appends a whole line and makes it durable, or throws tg::RetryLater (the host retries).
    void append(const std::string& line) {
        const off_t start = ::lseek(fd_, 0, SEEK_END);
        size_t done = 0;
        while (done < line.size()) {
            const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                const std::string reason = std::strerror(errno);
                if (start >= 0 && ::ftruncate(fd_, start) != 0)
                    host_.warn("cannot cut back " + path_);
                throw tg::RetryLater("hello_sink: cannot write " + path_ + ": " + reason);
            }
            done += static_cast<size_t>(n);
        }
        if (::fsync(fd_) != 0)
            throw tg::RetryLater("hello_sink: fsync " + path_ + ": " + std::strerror(errno));
    }

    // The keys of the lines already in the file, so a redelivery after a restart is skipped.
    void load_written_keys() {
        static const std::string prefix = "{\"idempotency_key\":\"";
        std::string text;
        char buffer[65536];
        ssize_t n;
        while ((n = ::pread(fd_, buffer, sizeof buffer, static_cast<off_t>(text.size()))) > 0)
            text.append(buffer, static_cast<size_t>(n));
        for (size_t start = 0; start < text.size();) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            if (text.compare(start, prefix.size(), prefix) == 0) {
                const size_t from = start + prefix.size();
                const size_t quote = text.find('"', from);
                if (quote < end) written_.insert(text.substr(from, quote - from));
            }
            start = end + 1;
        }
    }

    tg::HostServices host_;
    std::string path_;
    int fd_ = -1;
    std::unordered_set<std::string> written_;
};

}  // namespace

TG_SINK_PLUGIN(HelloSink, "hello_sink", "1.0.0")
