// Every setting of the sink, declared once: its key, its REDMINE_* twin, its default as the
// README's settings table shows it, and how it is read into Config (type, checks, target field).
// The unknown-key check, the env fallback and the error messages follow from the declaration,
// and a test holds the README's table to it.
#pragma once

#include "config_source.hpp"

#include <string_view>
#include <vector>

namespace tg::redmine {

struct Setting {
    SettingName name;
    std::string_view default_text;  // the README's "default" column, word for word
    void (*read)(const ConfigSource& source, const SettingName& name, Config& config);
};

// In the order they are read: a setting may rely on those before it.
const std::vector<Setting>& settings();

}  // namespace tg::redmine
