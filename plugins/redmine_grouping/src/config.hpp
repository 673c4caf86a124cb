// The sink's configuration: the `config:` JSON object, each key falling back to the operators'
// REDMINE_* variables so an existing env file keeps working.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tg::redmine {

enum class TextFormat { textile, markdown, common_mark };

// A status given by id or by name; names are resolved against Redmine only when first needed.
struct StatusRef {
    int64_t id = 0;
    std::string name;
    bool empty() const { return id == 0 && name.empty(); }
    std::string describe() const;
};

struct Config {
    std::string url;  // no trailing slash
    std::string api_key;
    std::string project;
    int64_t tracker_id = 0;  // 0: Redmine's choice (the project's first tracker)
    StatusRef status_done;
    StatusRef status_carryover;
    std::string time_zone;
    std::string carry_over_schedule = "0 9 * * *";
    bool close_on_resolve = false;
    std::chrono::seconds reopen_window{0};
    std::string ca_file;
    bool tls_verify = true;
    std::chrono::milliseconds timeout{30000};
    TextFormat text_formatting = TextFormat::textile;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Throws std::invalid_argument naming the offending key.
Config parse_config(std::string_view json, const EnvLookup& env);

// "72h", "30m", "1h30m", "45s", "500ms", "2d"; a bare "0" is zero. Throws std::invalid_argument.
std::chrono::milliseconds parse_duration(std::string_view text);

}  // namespace tg::redmine
