// The redmine_grouping sink's configuration parser as a fuzz entry point (see targets.hpp).
#include "targets.hpp"

#include "config.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace tg::fuzz {
namespace {

// Keys naming files the parser opens: a fuzzed path such as /dev/zero would only measure the
// machine. Dropped from the object (and never offered by the environment).
constexpr const char* kFileKeys[] = {"api_key_file", "ca_file"};

std::string without_file_keys(const std::string& json) {
    try {
        auto parsed = Poco::JSON::Parser().parse(json);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return json;
        auto object = parsed.extract<Poco::JSON::Object::Ptr>();
        for (const char* key : kFileKeys) object->remove(key);
        std::ostringstream out;
        object->stringify(out);
        return out.str();
    } catch (const Poco::Exception&) {
        return json;  // the parser under test refuses it the same way
    }
}

}  // namespace

int redmine_config(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    // Leading NAME=value lines up to an empty line are the environment (over a working base).
    std::map<std::string, std::string> env{{"REDMINE_URL", "http://127.0.0.1:3100"},
                                           {"REDMINE_API_KEY", "0123456789abcdef"},
                                           {"REDMINE_PROJECT_ID", "alerts"}};
    if (const size_t blank = text.find("\n\n"); blank != std::string_view::npos) {
        std::string_view head = text.substr(0, blank);
        text.remove_prefix(blank + 2);
        while (!head.empty()) {
            const size_t end = std::min(head.find('\n'), head.size());
            const std::string_view line = head.substr(0, end);
            head.remove_prefix(std::min(end + 1, head.size()));
            const size_t eq = line.find('=');
            if (eq == std::string_view::npos) continue;
            const std::string name(line.substr(0, eq));
            if (name == "REDMINE_API_KEY_FILE" || name == "REDMINE_CA_FILE") continue;
            env[name] = std::string(line.substr(eq + 1));
        }
    }
    const redmine::EnvLookup lookup =
        [&env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    };
    const std::string json = without_file_keys(std::string(text));
    try {
        const redmine::Config config = redmine::parse_config(json, lookup);
        if (config.url.empty() || config.api_key.empty() || config.project.empty()) {
            std::fprintf(stderr, "fuzz property broken: a parsed config lacks a required key\n");
            std::abort();
        }
    } catch (const std::invalid_argument&) {
        // The only way it may refuse: the host turns it into a configuration error.
    }
    return 0;
}

}  // namespace tg::fuzz
