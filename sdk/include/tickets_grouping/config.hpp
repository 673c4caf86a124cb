// A sink's `config:` block as typed values. Every getter fails with the key's name, so a typo or a
// wrong type stops the host at start with a message the operator can act on:
//
//     tg::Config config(context.config_json, "file_sink");
//     const std::string dir = config.string("dir");                 // required
//     const int64_t max = config.integer("max_lines", 1000);        // optional, with a default
//     const auto timeout = config.duration("timeout", std::chrono::seconds(10));
//     const std::vector<std::string> tags = config.strings("tags");  // optional list
//     config.reject_unknown_keys();                                  // a misspelt key is an error
//
// The errors are tg::ConfigError, a std::invalid_argument: thrown from the sink's constructor it
// becomes TG_DROP at the boundary (the host refuses the configuration). sdk/README.md lists which
// YAML values arrive as which JSON types.
#pragma once

#include <tickets_grouping/duration.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tg {

struct ConfigError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

class Config {
  public:
    // `json`: the config block (a JSON object; "" or null is an empty one). `owner` starts every
    // message, e.g. "file_sink: config key 'dir' is required (a string)".
    Config(std::string_view json, std::string owner) : owner_(std::move(owner)) {
        if (json.empty()) json = "{}";
        json_ = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
        if (json_.is_null()) json_ = nlohmann::json::object();
        if (!json_.is_object())
            throw ConfigError(owner_ + ": config must be a map of settings, got " +
                              (json_.is_discarded() ? "malformed JSON" : type(json_)));
    }

    // A required, non-empty string.
    std::string string(std::string_view key) const {
        const nlohmann::json* value = find(key);
        if (!value) fail(key, "is required (a string)");
        return non_empty_string(key, *value);
    }
    // An optional string (it may be ""): `fallback` when the key is absent or null.
    std::string string(std::string_view key, std::string fallback) const {
        const nlohmann::json* value = find(key);
        if (value && !value->is_string()) fail(key, "must be a string, got " + type(*value));
        return value ? value->get<std::string>() : fallback;
    }

    // An optional integer (a YAML `200`, not `"200"`): nullopt when absent or null.
    std::optional<int64_t> integer(std::string_view key) const {
        const nlohmann::json* value = find(key);
        if (!value) return std::nullopt;
        if (value->is_number_unsigned() && value->get<uint64_t>() > uint64_t(INT64_MAX))
            fail(key, "is too large, got " + type(*value));
        if (value->is_number_integer()) return value->get<int64_t>();
        fail(key, "must be an integer, got " + type(*value));
    }
    int64_t integer(std::string_view key, int64_t fallback) const {
        return integer(key).value_or(fallback);
    }

    bool boolean(std::string_view key, bool fallback) const {
        const nlohmann::json* value = find(key);
        if (!value) return fallback;
        if (!value->is_boolean()) fail(key, "must be true or false, got " + type(*value));
        return value->get<bool>();
    }

    // A duration in the routing file's syntax ("30s", "1h30m", "7d"; tg::parse_duration), or 0.
    std::optional<std::chrono::milliseconds> duration(std::string_view key) const {
        const nlohmann::json* value = find(key);
        if (!value) return std::nullopt;
        if (value->is_number_integer() && value->get<int64_t>() == 0)
            return std::chrono::milliseconds{0};
        if (!value->is_string())
            fail(key, "must be a duration such as \"30s\" or \"1h30m\", got " + type(*value));
        try {
            return parse_duration(value->get<std::string>());
        } catch (const std::invalid_argument& e) {
            fail(key, e.what());
        }
    }
    std::chrono::milliseconds duration(std::string_view key,
                                       std::chrono::milliseconds fallback) const {
        return duration(key).value_or(fallback);
    }

    // An optional list of strings (`[a, b]` or `- a` lines): empty when absent or null.
    std::vector<std::string> strings(std::string_view key) const {
        const nlohmann::json* value = find(key);
        std::vector<std::string> out;
        if (!value) return out;
        if (!value->is_array()) fail(key, "must be a list of strings, got " + type(*value));
        for (const auto& item : *value) {
            if (!item.is_string())
                fail(key, "must be a list of strings, item " + std::to_string(out.size() + 1) +
                              " is " + type(item));
            out.push_back(item.get<std::string>());
        }
        return out;
    }

    // Throws for the first key that no getter has asked for, naming the keys that were.
    void reject_unknown_keys() const {
        for (const auto& item : json_.items()) {
            if (read_.count(item.key())) continue;
            std::string known;
            for (const auto& key : read_) known += (known.empty() ? "" : ", ") + key;
            throw ConfigError(
                owner_ + ": unknown config key '" + item.key() + "'" +
                (known.empty() ? " (this sink takes no settings)" : " (known: " + known + ")"));
        }
    }

    // For checks of your own: throws "<owner>: config key '<key>' <problem>".
    [[noreturn]] void fail(std::string_view key, const std::string& problem) const {
        throw ConfigError(owner_ + ": config key '" + std::string(key) + "' " + problem);
    }

    const nlohmann::json& json() const { return json_; }  // the whole block, as parsed

  private:
    // The value of `key`, or nullptr when it is absent or null (YAML `key:` with no value).
    const nlohmann::json* find(std::string_view key) const {
        read_.emplace(key);
        const auto it = json_.find(std::string(key));
        return it == json_.end() || it->is_null() ? nullptr : &*it;
    }
    std::string non_empty_string(std::string_view key, const nlohmann::json& value) const {
        if (!value.is_string()) fail(key, "must be a string, got " + type(value));
        if (value.get_ref<const std::string&>().empty()) fail(key, "must not be empty");
        return value.get<std::string>();
    }
    // "the number 200", "the string \"200\"", "true", "a list", "a map": for messages.
    static std::string type(const nlohmann::json& value) {
        if (value.is_string()) return "the string " + value.dump();
        if (value.is_number()) return "the number " + value.dump();
        if (value.is_boolean()) return value.dump();
        if (value.is_array()) return "a list";
        if (value.is_object()) return "a map";
        return "null";
    }

    std::string owner_;
    nlohmann::json json_;
    mutable std::set<std::string, std::less<>> read_;
};

}  // namespace tg
