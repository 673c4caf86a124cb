// Where a setting of the sink's configuration comes from: the `config:` JSON object if it has
// the key (type-checked), else the setting's REDMINE_* twin in the operators' env file. Every
// error names the key (and the variable, for a value read from it).
#pragma once

#include "config.hpp"

#include <Poco/JSON/Object.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

[[noreturn]] void config_fail(const std::string& key, const std::string& why);
std::string config_trim(std::string s);
// An integer of at least `min` from its text; config_id: a positive one.
int64_t config_integer(const std::string& key, const std::string& text, int64_t min);
int64_t config_id(const std::string& key, const std::string& text);

// One setting's name and its env twin (nullptr: the routing file only).
struct SettingName {
    std::string key;
    const char* env = nullptr;
};

class ConfigSource {
  public:
    ConfigSource(Poco::JSON::Object::Ptr object, const EnvLookup& env)
        : object_(std::move(object)), env_(env) {}

    // `key:` with nothing after it arrives as null from YAML: the same as leaving it out.
    bool present(const std::string& key) const;
    // The key holds a list (a setting that takes one value or a list of them).
    bool is_list(const std::string& key) const;

    std::optional<std::string> string(const SettingName& s) const;
    std::optional<int64_t> id(const SettingName& s) const;
    std::optional<int64_t> count(const SettingName& s) const;  // 0 or more
    std::optional<double> number(const SettingName& s) const;  // finite
    // Numeric ids may come as numbers; identifiers and names as strings.
    std::optional<std::string> id_or_name(const SettingName& s) const;
    std::optional<bool> boolean(const SettingName& s) const;
    // A list of strings (numbers are taken as their text); from the env, the entries separated
    // by commas.
    std::optional<std::vector<std::string>> strings(const SettingName& s) const;
    // A mapping of names to strings (numbers are taken as their text); the routing file only.
    std::optional<std::map<std::string, std::string>> mapping(const SettingName& s) const;

  private:
    std::optional<std::string> from_env(const char* name) const;

    Poco::JSON::Object::Ptr object_;
    const EnvLookup& env_;
};

}  // namespace tg::redmine
