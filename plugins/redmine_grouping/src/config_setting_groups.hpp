// The groups of settings that settings() concatenates, by topic, and the reader they share.
// Each group lists its settings in the order they are read; the groups in a file of their own
// are declared here.
#pragma once

#include "config_settings.hpp"

#include <Poco/URI.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

// config_settings_redmine.cpp: where the tickets go, and how the sink talks to that Redmine.
std::vector<Setting> destination_settings();
std::vector<Setting> connection_settings();
// An http:// URL to another machine sends `secret` ("the API key") over the network unencrypted.
std::optional<std::string> clear_text_warning(const Poco::URI& uri, const std::string& secret);

// Readers several groups share (config_settings.cpp). A duration (Prometheus' units) in whole
// seconds, at most `limit` (`limit_text` as the README writes it); a 5-field cron expression,
// read as the host's scheduler reads it.
void read_duration(const ConfigSource& src, const SettingName& s, std::chrono::seconds& target,
                   std::chrono::seconds limit, const char* limit_text);
void read_cron(const ConfigSource& src, const SettingName& s, std::string& target);

// config_settings_reconcile.cpp: the Alertmanager that reconcile asks, and how often.
std::vector<Setting> reconcile_settings();

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
