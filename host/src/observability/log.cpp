#include "observability/log.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

namespace tg::host::log {
namespace {

std::atomic<int> current_level{static_cast<int>(Level::info)};
std::mutex output_mutex;

const char* level_name(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        default:
            return "error";
    }
}

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];  // roomy enough that the compiler can prove no truncation
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(millis));
    return text;
}

// C0 controls, DEL and the C1 controls (U+0080..U+009F, bytes C2 80..C2 9F in UTF-8): each can
// forge a line (CR), steer a terminal (ESC, CSI) or hide text from whoever reads the journal.
size_t control_length(std::string_view value, size_t i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7F) return 1;
    if (c == 0xC2 && i + 1 < value.size()) {
        const auto next = static_cast<unsigned char>(value[i + 1]);
        if (next >= 0x80 && next <= 0x9F) return 2;
    }
    return 0;
}

}  // namespace

void set_level(Level level) { current_level = static_cast<int>(level); }

bool parse_level(std::string_view text, Level& level) {
    for (Level candidate : {Level::debug, Level::info, Level::warn, Level::error})
        if (text == level_name(candidate)) {
            level = candidate;
            return true;
        }
    return false;
}

bool enabled(Level level) { return static_cast<int>(level) >= current_level.load(); }

std::string quote(std::string_view value) {
    bool bare = !value.empty();
    for (size_t i = 0; i < value.size() && bare; ++i) {
        const char c = value[i];
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || control_length(value, i)) bare = false;
    }
    if (bare) return std::string(value);
    std::string out = "\"";
    for (size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
            continue;
        }
        const size_t length = control_length(value, i);
        if (length == 0) {
            out += c;
            continue;
        }
        if (c == '\n' || c == '\r' || c == '\t') {
            out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
            continue;
        }
        const unsigned code =
            length == 1 ? static_cast<unsigned char>(c) : static_cast<unsigned char>(value[i + 1]);
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", code);
        out += escaped;
        i += length - 1;
    }
    return out + '"';
}

namespace {
thread_local std::vector<std::pair<std::string, std::string>> scoped_fields;
}  // namespace

ScopedField::ScopedField(std::string key, std::string value) {
    scoped_fields.emplace_back(std::move(key), std::move(value));
}

ScopedField::~ScopedField() { scoped_fields.pop_back(); }

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    std::string line =
        "time=" + timestamp() + " level=" + level_name(level) + " msg=" + quote(message);
    const auto append = [&line](std::string_view key, std::string_view value) {
        line += ' ';
        line += key;
        line += '=';
        line += quote(value);
    };
    for (const auto& [key, value] : fields) append(key, value);
    for (const auto& [key, value] : scoped_fields) {
        const bool named = std::any_of(fields.begin(), fields.end(),
                                       [&key](const Field& f) { return f.first == key; });
        if (!named) append(key, value);
    }
    line += '\n';
    std::lock_guard lock(output_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace tg::host::log
