// The settings that reach Redmine: its URL, the API key, the project and tracker the tickets go
// to, and the connection's TLS and timeout.
#include "config_setting_groups.hpp"
#include "time/duration.hpp"

#include <Poco/Net/IPAddress.h>
#include <Poco/URI.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tg::redmine {

namespace {

using S = SettingName;
using Source = ConfigSource;

// "required (or set REDMINE_URL)"
std::string required(const S& s) {
    return s.env ? "required (or set " + std::string(s.env) + ")" : std::string("required");
}

void read_url(const Source& src, const S& s, Config& c) {
    auto url = src.string(s);
    if (!url || config_trim(*url).empty()) config_fail(s.key, required(s));
    c.url = config_trim(*url);
    while (!c.url.empty() && c.url.back() == '/') c.url.pop_back();
    try {
        Poco::URI uri(c.url);
        if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty())
            config_fail(s.key, "expected an http:// or https:// URL, got '" + c.url + "'");
        if (!uri.getUserInfo().empty() || !uri.getQuery().empty() || !uri.getFragment().empty())
            config_fail(s.key, "must not carry credentials, a query or a fragment");
        if (auto why = clear_text_warning(uri, "the API key"))
            c.warnings.push_back(s.key + ": " + *why);
    } catch (const Poco::Exception& e) {
        config_fail(s.key, "not a URL: " + e.displayText());
    }
}

// api_key_file is read first: its env twin counts only when api_key is not in the config.
void read_api_key_file(const Source& src, const S& s, Config& c) {
    const S name{s.key, src.present("api_key") ? nullptr : s.env};
    if (src.present("api_key") && src.present(s.key))
        config_fail(s.key, "give either api_key or api_key_file, not both");
    auto file = src.string(name);
    if (!file) return;
    const std::string path = config_trim(*file);
    std::ifstream in(path);
    if (!in) config_fail(s.key, "cannot read '" + path + "'");
    std::stringstream buffer;
    buffer << in.rdbuf();
    c.api_key = config_trim(buffer.str());
    if (c.api_key.empty()) config_fail(s.key, "'" + path + "' is empty");
}

void read_api_key(const Source& src, const S& s, Config& c) {
    if (c.api_key.empty())
        if (auto key = src.string(s)) c.api_key = config_trim(*key);
    if (c.api_key.empty())
        config_fail(s.key, "required (or api_key_file, or set " + std::string(s.env) + ")");
    for (char ch : c.api_key)
        if (static_cast<unsigned char>(ch) < 0x21 || static_cast<unsigned char>(ch) > 0x7e)
            config_fail(s.key, "contains characters that cannot go in an HTTP header");
}

void read_project(const Source& src, const S& s, Config& c) {
    auto project = src.id_or_name(s);
    if (!project || config_trim(*project).empty()) config_fail(s.key, required(s));
    c.project = config_trim(*project);
}

void read_timeout(const Source& src, const S& s, Config& c) {
    auto t = src.string(s);
    if (!t) return;
    try {
        c.timeout = common::parse_duration(config_trim(*t));
    } catch (const std::invalid_argument& e) {
        config_fail(s.key, e.what());
    }
    if (c.timeout.count() <= 0) config_fail(s.key, "must be positive");
    // Poco takes microseconds: a bound keeps the conversion far from overflowing.
    if (c.timeout > std::chrono::hours(24)) config_fail(s.key, "must be at most 24h");
}

void read_max_requests_per_second(const Source& src, const S& s, Config& c) {
    auto rate = src.number(s);
    if (!rate) return;
    if (*rate < 0 || *rate > 10000)
        config_fail(s.key, "expected requests per second from 0 (no limit) to 10000, got " +
                               std::to_string(*rate));
    c.max_requests_per_second = *rate;
}

}  // namespace

std::optional<std::string> clear_text_warning(const Poco::URI& uri, const std::string& secret) {
    if (uri.getScheme() != "http") return std::nullopt;
    Poco::Net::IPAddress address;
    if (uri.getHost() == "localhost" ||
        (Poco::Net::IPAddress::tryParse(uri.getHost(), address) && address.isLoopback()))
        return std::nullopt;
    return "'" + uri.toString() + "' is http://: " + secret +
           " travels in clear text to that host; use https://";
}

// Where the tickets go: the Redmine, the key to its API, the project and the tracker.
std::vector<Setting> destination_settings() {
    return {
        {{"url", "REDMINE_URL"}, "required", read_url},
        {{"api_key_file", "REDMINE_API_KEY_FILE"}, "required", read_api_key_file},
        {{"api_key", "REDMINE_API_KEY"}, "required", read_api_key},
        {{"project", "REDMINE_PROJECT_ID"}, "required", read_project},
        {{"tracker_id", "REDMINE_TRACKER_ID"},
         "the project's first",
         plain<&Source::id, &Config::tracker_id>},
    };
}

// How the sink talks to Redmine: TLS and the timeout.
std::vector<Setting> connection_settings() {
    return {
        {{"ca_file", "REDMINE_CA_FILE"},
         "—",
         [](const Source& src, const S& s, Config& c) {
             auto f = src.string(s);
             if (!f) return;
             c.ca_file = config_trim(*f);
             if (!std::ifstream(c.ca_file)) config_fail(s.key, "cannot read '" + c.ca_file + "'");
         }},
        {{"tls_verify", "REDMINE_TLS_VERIFY"},
         "`true`",
         plain<&Source::boolean, &Config::tls_verify>},
        {{"timeout", "REDMINE_TIMEOUT"}, "`30s`", read_timeout},
        {{"max_requests_per_second", "REDMINE_MAX_REQUESTS_PER_SECOND"},
         "`0` (no limit)",
         read_max_requests_per_second},
    };
}

}  // namespace tg::redmine
