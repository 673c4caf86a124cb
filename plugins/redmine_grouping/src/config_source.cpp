#include "config_source.hpp"

#include <cctype>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace tg::redmine {

namespace {

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string from(const SettingName& s) { return s.key + " (" + s.env + ")"; }

}  // namespace

void config_fail(const std::string& key, const std::string& why) {
    throw std::invalid_argument("redmine_grouping: config key '" + key + "': " + why);
}

std::string config_trim(std::string s) {
    const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && space(s.back())) s.pop_back();
    size_t i = 0;
    while (i < s.size() && space(s[i])) ++i;
    return s.substr(i);
}

int64_t config_integer(const std::string& key, const std::string& text, int64_t min) {
    const std::string expected = min > 0 ? "expected a positive integer" : "expected 0 or more";
    if (!all_digits(text) || text.size() > 15) config_fail(key, expected + ", got '" + text + "'");
    const int64_t v = std::stoll(text);
    if (v < min) config_fail(key, expected + ", got '" + text + "'");
    return v;
}

int64_t config_id(const std::string& key, const std::string& text) {
    return config_integer(key, text, 1);
}

bool ConfigSource::present(const std::string& key) const {
    return object_->has(key) && !object_->get(key).isEmpty();
}

bool ConfigSource::is_list(const std::string& key) const {
    return present(key) && object_->isArray(key);
}

std::optional<std::string> ConfigSource::from_env(const char* name) const {
    if (!name || !env_) return std::nullopt;
    auto v = env_(name);
    if (v && config_trim(*v).empty()) return std::nullopt;
    return v;
}

std::optional<std::string> ConfigSource::string(const SettingName& s) const {
    if (present(s.key)) {
        auto v = object_->get(s.key);
        if (!v.isString()) config_fail(s.key, "expected a string");
        return v.convert<std::string>();
    }
    return from_env(s.env);
}

std::optional<int64_t> ConfigSource::id(const SettingName& s) const {
    if (present(s.key)) {
        auto v = object_->get(s.key);
        if (v.isString()) return config_id(s.key, v.convert<std::string>());
        if (v.isBoolean() || !v.isInteger()) config_fail(s.key, "expected an integer id");
        const int64_t n = v.convert<int64_t>();
        if (n <= 0) config_fail(s.key, "expected a positive integer");
        return n;
    }
    if (auto text = from_env(s.env)) return config_id(from(s), config_trim(*text));
    return std::nullopt;
}

std::optional<int64_t> ConfigSource::count(const SettingName& s) const {
    if (present(s.key)) {
        auto v = object_->get(s.key);
        if (v.isString()) return config_integer(s.key, config_trim(v.convert<std::string>()), 0);
        if (v.isBoolean() || !v.isInteger()) config_fail(s.key, "expected 0 or more");
        const int64_t n = v.convert<int64_t>();
        if (n < 0) config_fail(s.key, "expected 0 or more");
        return n;
    }
    if (auto text = from_env(s.env)) return config_integer(from(s), config_trim(*text), 0);
    return std::nullopt;
}

namespace {
double number_of(const std::string& key, const std::string& text) {
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || !std::isfinite(v))
        config_fail(key, "expected a number, got '" + text + "'");
    return v;
}
}  // namespace

std::optional<double> ConfigSource::number(const SettingName& s) const {
    if (present(s.key)) {
        auto v = object_->get(s.key);
        if (v.isString()) return number_of(s.key, config_trim(v.convert<std::string>()));
        if (v.isBoolean() || !v.isNumeric()) config_fail(s.key, "expected a number");
        const double n = v.convert<double>();
        if (!std::isfinite(n)) config_fail(s.key, "expected a number");
        return n;
    }
    if (auto text = from_env(s.env)) return number_of(from(s), config_trim(*text));
    return std::nullopt;
}

std::optional<std::string> ConfigSource::id_or_name(const SettingName& s) const {
    if (present(s.key)) {
        auto v = object_->get(s.key);
        if (v.isInteger() && !v.isBoolean()) {
            if (v.convert<int64_t>() <= 0) config_fail(s.key, "expected a positive id or a name");
            return v.convert<std::string>();
        }
        if (!v.isString()) config_fail(s.key, "expected an id or a name");
        return v.convert<std::string>();
    }
    return from_env(s.env);
}

std::optional<bool> ConfigSource::boolean(const SettingName& s) const {
    if (present(s.key)) {
        auto v = object_->get(s.key);
        if (!v.isBoolean()) config_fail(s.key, "expected true or false");
        return v.convert<bool>();
    }
    if (auto text = from_env(s.env)) {
        std::string t = config_trim(*text);
        for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
        if (t == "false" || t == "0" || t == "no" || t == "off" || t.empty()) return false;
        config_fail(from(s), "expected true or false, got '" + *text + "'");
    }
    return std::nullopt;
}

std::optional<std::vector<std::string>> ConfigSource::strings(const SettingName& s) const {
    std::vector<std::string> out;
    if (present(s.key)) {
        auto array = object_->getArray(s.key);
        if (!array) config_fail(s.key, "expected a list");
        for (size_t i = 0; i < array->size(); ++i) {
            auto v = array->get(static_cast<unsigned>(i));
            if (!v.isString() && !(v.isInteger() && !v.isBoolean()))
                config_fail(s.key, "expected a list of names or ids");
            std::string t = config_trim(v.convert<std::string>());
            if (t.empty()) config_fail(s.key, "an entry is empty");
            out.push_back(t);
        }
        return out;
    }
    auto text = from_env(s.env);
    if (!text) return std::nullopt;
    std::stringstream entries(*text);
    for (std::string entry; std::getline(entries, entry, ',');) {
        if (config_trim(entry).empty()) config_fail(from(s), "an entry is empty");
        out.push_back(config_trim(entry));
    }
    return out;
}

std::optional<std::map<std::string, std::string>> ConfigSource::mapping(
    const SettingName& s) const {
    if (!present(s.key)) return std::nullopt;
    auto object = object_->getObject(s.key);
    if (!object) config_fail(s.key, "expected a mapping");
    std::map<std::string, std::string> out;
    for (const auto& [name, v] : *object) {
        if (v.isEmpty() || !(v.isString() || (v.isInteger() && !v.isBoolean())))
            config_fail(s.key + "." + name, "expected a string or an id");
        out[name] = v.convert<std::string>();
    }
    return out;
}

}  // namespace tg::redmine
