#include "observability/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

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
    for (unsigned char c : value)
        if (c <= ' ' || c == '"' || c == '=' || c == '\\') bare = false;
    if (bare) return std::string(value);
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + '"';
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    std::string line =
        "time=" + timestamp() + " level=" + level_name(level) + " msg=" + quote(message);
    for (const auto& [key, value] : fields) {
        line += ' ';
        line += key;
        line += '=';
        line += quote(value);
    }
    line += '\n';
    std::lock_guard lock(output_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace tg::host::log
