// The groups of settings that settings() concatenates, by topic, and the reader they share.
// Each group lists its settings in the order they are read; the groups in a file of their own
// are declared here.
#pragma once

#include "config_settings.hpp"

#include <string>
#include <vector>

namespace tg::redmine {

// config_settings_redmine.cpp: where the tickets go, and how the sink talks to that Redmine.
std::vector<Setting> destination_settings();
std::vector<Setting> connection_settings();

inline std::string trimmed(const std::string& v) { return config_trim(v); }
template <typename T>
T trimmed(const T& v) {
    return v;
}

// A plain setting: one ConfigSource reading (`Read`) into one field of Config (`Field`).
template <auto Read, auto Field>
void plain(const ConfigSource& src, const SettingName& s, Config& c) {
    if (auto v = (src.*Read)(s)) c.*Field = trimmed(*v);
}

}  // namespace tg::redmine
