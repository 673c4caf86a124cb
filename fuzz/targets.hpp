// The fuzz entry points, shared by the libFuzzer harnesses (clang, -DTG_FUZZ=ON) and by the
// regression replay that the normal test suite runs (fuzz/regressions/<target>/*). Each returns
// normally for any input the code refuses cleanly, and aborts on a broken property.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tg::fuzz {

// parse_notification, then serialize_subset of every alert and of every other one: what it
// writes must parse again to the same alerts.
int webhook(const uint8_t* data, size_t size);
// First line: parse_matchers (a list, as a routing file's matchers item); the rest: a label value
// to match. Only MatcherError escapes, its column within the text; for every matcher,
// parse(to_string()) gives the same matcher back, matching alike.
int matcher(const uint8_t* data, size_t size);
// load_routing_text with an empty environment.
int routing(const uint8_t* data, size_t size);
// The redmine_grouping sink's parse_config: leading NAME=value lines up to an empty line are the
// environment (over a base with the three required variables), the rest the config: JSON. Only
// std::invalid_argument escapes; a parsed config has its required keys. Keys that name files
// (api_key_file, ca_file) are dropped before parsing.
int redmine_config(const uint8_t* data, size_t size);

using Target = int (*)(const uint8_t*, size_t);
Target find_target(const std::string& name);  // nullptr when unknown

}  // namespace tg::fuzz
