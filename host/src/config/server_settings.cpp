#include "config/server_settings.hpp"

#include "config/auth_settings.hpp"
#include "config/config_error.hpp"
#include "time/duration.hpp"

#include <charconv>
#include <cstdint>
#include <stdexcept>

namespace tg::host {
namespace {

int64_t integer(const std::string& text, int64_t min, int64_t max, const char* why = "") {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size())
        throw std::invalid_argument("expected an integer, got \"" + text + "\"");
    if (v < min || v > max)
        throw std::invalid_argument(std::to_string(v) + " is out of range (" + std::to_string(min) +
                                    " to " + std::to_string(max) + ")" + why);
    return v;
}

std::chrono::milliseconds positive_duration(const std::string& text) {
    const auto d = common::parse_duration(text);
    if (d.count() <= 0) throw std::invalid_argument("must be more than 0");
    return d;
}

constexpr int64_t max_bytes = int64_t{1} << 40;

}  // namespace

const std::vector<ServerSetting>& server_settings() {
    static const std::vector<ServerSetting> settings{
        {"max_body_bytes", "WEBHOOK_MAX_BODY_BYTES", "an integer",
         [](const std::string& t, ServerSettings& s) {
             s.max_body_bytes = static_cast<size_t>(integer(t, 1, max_bytes));
         }},
        {"max_inflight_bytes", "WEBHOOK_MAX_INFLIGHT_BYTES", "an integer",
         [](const std::string& t, ServerSettings& s) {
             s.max_inflight_bytes = static_cast<size_t>(integer(t, 1, max_bytes));
         }},
        {"max_alerts", "WEBHOOK_MAX_ALERTS", "an integer",
         [](const std::string& t, ServerSettings& s) {
             s.max_alerts = static_cast<size_t>(integer(t, 1, 100000000));
         }},
        {"max_threads", "WEBHOOK_MAX_THREADS", "an integer",
         [](const std::string& t, ServerSettings& s) {
             s.max_threads = static_cast<int>(
                 integer(t, 2, 10000, ": the HTTP server needs at least 2 threads"));
         }},
        {"max_queued", "WEBHOOK_MAX_QUEUED", "an integer",
         [](const std::string& t, ServerSettings& s) {
             s.max_queued = static_cast<int>(integer(t, 1, 1000000));
         }},
        {"read_timeout", "WEBHOOK_READ_TIMEOUT", "a duration",
         [](const std::string& t, ServerSettings& s) { s.read_timeout = positive_duration(t); }},
        {"head_timeout", "WEBHOOK_HEAD_TIMEOUT", "a duration",
         [](const std::string& t, ServerSettings& s) { s.head_timeout = positive_duration(t); }},
        {"max_crashes", "WEBHOOK_MAX_CRASHES", "an integer",
         [](const std::string& t, ServerSettings& s) {
             s.max_crashes = static_cast<uint32_t>(integer(t, 1, 1000));
         }},
        {"probe_after", "WEBHOOK_PROBE_AFTER", "an integer",
         [](const std::string& t, ServerSettings& s) {
             s.probe_after = static_cast<uint32_t>(integer(t, 0, 1000000));
         }},
        {"dead_letter_retention", "WEBHOOK_DEAD_LETTER_RETENTION", "a duration",
         [](const std::string& t, ServerSettings& s) {
             s.dead_letter_retention = positive_duration(t);
         }},
    };
    return settings;
}

const ServerSetting* find_server_setting(const std::string& key) {
    for (const auto& setting : server_settings())
        if (key == setting.key) return &setting;
    return nullptr;
}

void apply_server_variables(const Environment& env, ServerSettings& out) {
    for (const auto& setting : server_settings()) {
        const auto text = env.get(setting.variable);
        if (!text) continue;
        try {
            setting.apply(*text, out);
        } catch (const std::invalid_argument& e) {
            throw ConfigError("", 0, setting.variable, e.what());
        }
    }
    try {
        const WebhookAuth auth = resolve_webhook_auth(webhook_auth_from_env(env));
        if (auth.enabled()) out.auth = auth;
    } catch (const SettingError& e) {
        throw ConfigError("", 0, e.name, e.problem);
    }
}

ServerSettingsProblem check_server_settings(const ServerSettings& s) {
    if (s.max_inflight_bytes < s.max_body_bytes)
        return {"max_inflight_bytes",
                std::to_string(s.max_inflight_bytes) + " is less than max_body_bytes (" +
                    std::to_string(s.max_body_bytes) +
                    "): a body of the largest size allowed could never be read"};
    return {};
}

void check_server_variables(const ServerSettings& settings) {
    const auto problem = check_server_settings(settings);
    if (!problem.key.empty())
        throw ConfigError("", 0, find_server_setting(problem.key)->variable, problem.problem);
}

}  // namespace tg::host
