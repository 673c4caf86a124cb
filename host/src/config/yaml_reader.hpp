// Reading an operator's YAML file: the entries of a map with their lines and key paths, checked
// against the keys allowed there; scalars ${VAR}-expanded and typed. Every problem is a
// ConfigError at its line. The routing file's loader (routing_loader.cpp) is built on it.
#pragma once

#include "config/config_error.hpp"
#include "config/env.hpp"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace date {
class time_zone;
}

namespace tg::host {

// One `key: value` of a map, with where it is.
struct YamlEntry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
    std::string path;  // full key path
    int line() const;
};

class YamlReader {
  public:
    YamlReader(const std::string& file, const Environment& env) : file_(file), env_(env) {}

    static int line_of(const YAML::Node& node);  // 1-based, 0 when unknown

  protected:
    using Entry = YamlEntry;

    // The file's YAML documents; a syntax error (or a file the parser would never get through)
    // is a ConfigError.
    std::vector<YAML::Node> documents(const std::string& text) const;

    static std::string join(const std::vector<std::string>& words);
    static std::string type_name(const YAML::Node& node);  // for "expected ..., got ..."
    static const Entry* find(const std::vector<Entry>& entries, const std::string& key);

    [[noreturn]] void fail_at(int line, const std::string& path, const std::string& problem) const;
    [[noreturn]] void fail(const Entry& x, const std::string& problem) const;

    // The entries of a map node, checking keys: scalars, no duplicates, and (when `allowed` is
    // not empty) only allowed names. A null node is an empty map.
    std::vector<Entry> entries(const YAML::Node& node, const std::string& path,
                               const std::string& what, int fallback_line,
                               const std::vector<std::string>& allowed) const;

    // A scalar, ${VAR}-expanded.
    std::string string(const Entry& x) const;
    std::string non_empty_string(const Entry& x) const;
    int64_t integer(const Entry& x, int64_t min, int64_t max) const;
    bool boolean(const Entry& x) const;
    std::chrono::milliseconds duration(const Entry& x) const;
    const date::time_zone* zone(const Entry& x, const std::string& name) const;
    // A path the process can read now (its content is read where it is used).
    std::string readable_file(const Entry& x) const;

    const std::string& file_;
    const Environment& env_;
};

}  // namespace tg::host
