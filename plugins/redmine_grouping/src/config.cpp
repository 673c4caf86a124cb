#include "config.hpp"

#include "config_settings.hpp"

#include <Poco/JSON/Parser.h>

#include <set>
#include <stdexcept>

namespace tg::redmine {

std::string StatusRef::describe() const {
    return id != 0 ? "#" + std::to_string(id) : "'" + name + "'";
}

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const auto& s : settings()) out.push_back(s.name.key);
        return out;
    }();
    return keys;
}

Config parse_config(std::string_view json, const EnvLookup& env) {
    Poco::JSON::Object::Ptr object;
    try {
        std::string text = config_trim(std::string(json));
        if (text.empty()) text = "{}";
        auto parsed = Poco::JSON::Parser().parse(text);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
            throw std::invalid_argument("redmine_grouping: config must be a JSON object");
        object = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("redmine_grouping: config is not valid JSON: " +
                                    e.displayText());
    }
    const auto& keys = config_keys();
    const std::set<std::string> known(keys.begin(), keys.end());
    for (const auto& [key, value] : *object)
        if (!known.count(key)) config_fail(key, "unknown key");

    const ConfigSource source(object, env);
    Config c;
    for (const auto& setting : settings()) setting.read(source, setting.name, c);
    // Across settings: what one needs of another read later.
    if (c.close_on_resolve && c.status_done.empty())
        config_fail("status_done",
                    "required when close_on_resolve is true (or set REDMINE_STATUS_DONE)");
    return c;
}

}  // namespace tg::redmine
