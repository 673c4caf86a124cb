// yaml-cpp node -> JSON text, keeping YAML's types (re-emitted YAML loses them).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "config/env.hpp"

namespace tg::host {

// Converts a node to compact JSON text (UTF-8 passed through; control characters escaped).
//  - ${VAR} expansion (env.expand) is applied to every scalar value (not to map keys) first;
//  - QUOTED or block scalars (Tag() == "!") and `!!str` scalars stay strings;
//  - plain scalars are typed by the YAML 1.2 core schema:
//      null: ~ null Null NULL and the empty value;  bool: true True TRUE false False FALSE;
//      int: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+ (emitted in decimal; beyond 64 bits: string);
//      float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? (shortest round-trip form);
//      .inf/.nan have no JSON form and stay strings; everything else is a string;
//  - maps -> objects (keys must be scalars, duplicates are an error), sequences -> arrays.
// Throws ConfigError(file_name, line, key path, problem), key paths built from `key_path`
// ("sinks.redmine.config.url", "...items[2]").
std::string yaml_to_json(const YAML::Node& node, const Environment& env,
                         const std::string& file_name = "", const std::string& key_path = "");

// The typing rule alone, on a scalar's text: "null", "true"/"false", a JSON number, or nullopt
// when it is a string. Exposed for tests and for the loader.
std::optional<std::string> plain_scalar_json(std::string_view text);

// A JSON string literal (with quotes) for UTF-8 text.
std::string json_quote(std::string_view text);

}  // namespace tg::host
