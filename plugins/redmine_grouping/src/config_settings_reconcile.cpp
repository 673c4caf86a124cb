// The settings of the reconcile hook: the Alertmanager it asks which alerts are active (its HA
// peers, with the options of Alertmanager's own http_config), how often, and how long an alert
// may be missing from its answer before the ticket is taken as resolved.
#include "config_setting_groups.hpp"
#include "time/cron.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>

namespace tg::redmine {

namespace {

using S = SettingName;
using Source = ConfigSource;

void read_urls(const Source& src, const S& s, Config& c) {
    std::optional<std::vector<std::string>> urls;
    if (src.present(s.key) && !src.is_list(s.key)) {
        if (auto one = src.string(s)) urls = std::vector<std::string>{config_trim(*one)};
    } else {
        urls = src.strings(s);
    }
    if (!urls) return;
    for (auto url : *urls) {
        while (!url.empty() && url.back() == '/') url.pop_back();
        try {
            Poco::URI uri(url);
            if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty())
                config_fail(s.key, "expected http:// or https:// URLs, got '" + url + "'");
            if (!uri.getUserInfo().empty() || !uri.getQuery().empty() || !uri.getFragment().empty())
                config_fail(s.key,
                            "must not carry credentials (alertmanager_basic_username and "
                            "alertmanager_basic_password_file), a query or a fragment");
        } catch (const Poco::Exception& e) {
            config_fail(s.key, "'" + url + "' is not a URL: " + e.displayText());
        }
        if (std::find(c.alertmanager.urls.begin(), c.alertmanager.urls.end(), url) !=
            c.alertmanager.urls.end())
            config_fail(s.key, "'" + url + "' is listed twice");
        c.alertmanager.urls.push_back(url);
    }
}

// A file the sink reads (a secret at each run, so a rotated one is taken): it must be readable
// now, and a secret's must not be empty. Its content never reaches a message.
void read_file_setting(const Source& src, const S& s, std::string& target, bool secret) {
    auto f = src.string(s);
    if (!f) return;
    target = config_trim(*f);
    std::ifstream in(target);
    if (!in) config_fail(s.key, "cannot read '" + target + "'");
    if (secret && in.peek() == std::ifstream::traits_type::eof())
        config_fail(s.key, "'" + target + "' is empty");
}

void check_auth(const S& s, Config& c) {
    auto& am = c.alertmanager;
    if (!am.bearer_token_file.empty() && !am.basic_username.empty())
        config_fail(s.key, "give either a bearer token or basic auth, not both");
    if (am.basic_username.empty() != am.basic_password_file.empty())
        config_fail(s.key,
                    "basic auth needs both alertmanager_basic_username and "
                    "alertmanager_basic_password_file");
    const bool secret = !am.bearer_token_file.empty() || !am.basic_username.empty();
    if (!am.urls.empty() || !secret) return;
    config_fail(s.key, "Alertmanager credentials are set but alertmanager_url is not");
}

// The longest gap between two runs of `cron` over its next runs (in UTC: a few minutes of a
// DST change do not matter to a grace).
std::chrono::seconds longest_interval(const std::string& cron) {
    const auto schedule = common::CronSchedule::parse(cron);
    auto t = schedule.next_after(std::chrono::system_clock::now(), nullptr);
    std::chrono::seconds longest{60};
    for (int i = 0; i < 12; ++i) {
        const auto next = schedule.next_after(t, nullptr);
        longest = std::max(longest, std::chrono::duration_cast<std::chrono::seconds>(next - t));
        t = next;
    }
    return longest;
}

void read_grace(const Source& src, const S& s, Config& c) {
    c.reconcile_grace = 2 * longest_interval(c.reconcile_schedule);  // unless given
    read_duration(src, s, c.reconcile_grace, std::chrono::hours(24 * 30), "30d");
}

}  // namespace

std::vector<Setting> reconcile_settings() {
    return {
        {{"alertmanager_url", "REDMINE_ALERTMANAGER_URL"}, "— (no reconcile)", read_urls},
        {{"alertmanager_bearer_token_file", "REDMINE_ALERTMANAGER_BEARER_TOKEN_FILE"},
         "—",
         [](const Source& src, const S& s, Config& c) {
             read_file_setting(src, s, c.alertmanager.bearer_token_file, true);
         }},
        {{"alertmanager_basic_username", "REDMINE_ALERTMANAGER_BASIC_USERNAME"},
         "—",
         [](const Source& src, const S& s, Config& c) {
             if (auto u = src.string(s)) c.alertmanager.basic_username = config_trim(*u);
         }},
        {{"alertmanager_basic_password_file", "REDMINE_ALERTMANAGER_BASIC_PASSWORD_FILE"},
         "—",
         [](const Source& src, const S& s, Config& c) {
             read_file_setting(src, s, c.alertmanager.basic_password_file, true);
             check_auth(s, c);
             for (const auto& url : c.alertmanager.urls)
                 if (!c.alertmanager.bearer_token_file.empty() ||
                     !c.alertmanager.basic_username.empty())
                     if (auto why =
                             clear_text_warning(Poco::URI(url), "the Alertmanager credential"))
                         c.warnings.push_back("alertmanager_url: " + *why);
         }},
        {{"alertmanager_ca_file", "REDMINE_ALERTMANAGER_CA_FILE"},
         "—",
         [](const Source& src, const S& s, Config& c) {
             read_file_setting(src, s, c.alertmanager.ca_file, false);
         }},
        {{"alertmanager_tls_verify", "REDMINE_ALERTMANAGER_TLS_VERIFY"},
         "`true`",
         [](const Source& src, const S& s, Config& c) {
             if (auto v = src.boolean(s)) c.alertmanager.tls_verify = *v;
         }},
        {{"reconcile_schedule", "REDMINE_RECONCILE_SCHEDULE"},
         "`*/10 * * * *`",
         [](const Source& src, const S& s, Config& c) { read_cron(src, s, c.reconcile_schedule); }},
        {{"reconcile_grace", "REDMINE_RECONCILE_GRACE"}, "2 × the schedule's interval", read_grace},
    };
}

}  // namespace tg::redmine
