#include "config_settings.hpp"

#include "config_setting_groups.hpp"
#include "templates.hpp"
#include "text_format.hpp"
#include "time/cron.hpp"
#include "time/duration.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

namespace tg::redmine {

namespace {

using S = SettingName;
using Source = ConfigSource;

StatusRef status_ref(const std::string& text) {
    StatusRef ref;
    const std::string t = config_trim(text);
    if (!t.empty() && t.size() < 16 && t.find_first_not_of("0123456789") == std::string::npos)
        ref.id = std::stoll(t);
    else
        ref.name = t;
    return ref;
}

// A label name as Prometheus allows it: the key labels end up in subjects and state keys.
bool label_name(const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char ch : s)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')) return false;
    return true;
}

std::optional<std::string> label(const Source& src, const S& s) {
    auto l = src.string(s);
    if (!l) return std::nullopt;
    const std::string name = config_trim(*l);
    if (!label_name(name)) config_fail(s.key, "'" + name + "' is not a label name");
    return name;
}

void label_list(const Source& src, const S& s, std::vector<std::string>& target) {
    auto list = src.strings(s);
    if (!list) return;
    if (list->empty()) config_fail(s.key, "needs at least one label");
    std::set<std::string> seen;
    for (const auto& name : *list) {
        if (!label_name(name)) config_fail(s.key, "'" + name + "' is not a label name");
        if (!seen.insert(name).second) config_fail(s.key, "'" + name + "' is listed twice");
    }
    target = *list;
}

void check_template(const std::string& key, const std::string& source) {
    if (auto error = template_error(source)) config_fail(key, "bad template: " + *error);
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
}

void read_time_zone(const Source& src, const S& s, Config& c) {
    if (auto tz = src.string(s)) {
        c.time_zone = config_trim(*tz);
        try {
            date::locate_zone(c.time_zone);
        } catch (const std::exception&) {
            config_fail(s.key, "unknown IANA time zone '" + c.time_zone + "'");
        }
        return;
    }
    try {
        c.time_zone = date::current_zone()->name();
    } catch (const std::exception&) {
        c.time_zone = "UTC";
    }
}

void read_wont_fix_statuses(const Source& src, const S& s, Config& c) {
    auto entries = src.strings(s);
    if (!entries) return;
    std::set<std::string> seen;
    for (const auto& entry : *entries) {
        if (!seen.insert(entry).second) config_fail(s.key, "'" + entry + "' is listed twice");
        c.wont_fix_statuses.push_back(status_ref(entry));
    }
}

void read_templates(const Source& src, const S& s, Config& c) {
    auto t = src.mapping(s);
    if (!t) return;
    const auto& names = template_names();
    for (const auto& [name, source] : *t) {
        if (std::find(names.begin(), names.end(), name) == names.end())
            config_fail(s.key + "." + name, "unknown template (known: " + joined(names) + ")");
        check_template(s.key + "." + name, source);
        c.templates[name] = source;
    }
}

void read_custom_fields(const Source& src, const S& s, Config& c) {
    auto m = src.mapping(s);
    if (!m) return;
    for (const auto& [id, source] : *m) {
        const std::string key = s.key + "." + id;
        const int64_t field = config_id(key, config_trim(id));
        check_template(key, source);
        c.custom_fields[field] = source;
    }
}

// The Redmine statuses a ticket is closed with, and carried over with.
std::vector<Setting> status_settings() {
    return {
        {{"status_done", "REDMINE_STATUS_DONE"},
         "— (required with `close_on_resolve`)",
         [](const Source& src, const S& s, Config& c) {
             if (auto v = src.id_or_name(s)) c.status_done = status_ref(*v);
         }},
        {{"status_carryover", "REDMINE_STATUS_CARRYOVER"},
         "— (required by `carry_over`)",
         [](const Source& src, const S& s, Config& c) {
             if (auto v = src.id_or_name(s)) c.status_carryover = status_ref(*v);
         }},
    };
}

// When the open tickets are carried over to the next day.
std::vector<Setting> carry_over_settings() {
    return {
        {{"time_zone", "REDMINE_TIME_ZONE"}, "the machine's zone", read_time_zone},
        {{"carry_over_schedule", "REDMINE_CARRY_OVER_SCHEDULE"},
         "`0 9 * * *`",
         [](const Source& src, const S& s, Config& c) {
             read_cron(src, s, c.carry_over_schedule);
         }},
    };
}

// Whether a resolved alert closes its ticket, when it reopens it, and when it is flapping.
std::vector<Setting> resolve_and_flap_settings() {
    return {
        {{"close_on_resolve", "REDMINE_CLOSE_ON_RESOLVE"},
         "`false`",
         plain<&Source::boolean, &Config::close_on_resolve>},
        {{"reopen_window", "REDMINE_REOPEN_WINDOW"},
         "`0` (never)",
         [](const Source& src, const S& s, Config& c) {
             read_duration(src, s, c.reopen_window, std::chrono::seconds::max(), "");
         }},
        {{"flap_window", "REDMINE_FLAP_WINDOW"},
         "`0` (off)",
         [](const Source& src, const S& s, Config& c) {
             read_duration(src, s, c.flap_window, std::chrono::hours(24), "24h");
         }},
        {{"episode_tolerance", "REDMINE_EPISODE_TOLERANCE"},
         "`30s`",
         [](const Source& src, const S& s, Config& c) {
             read_duration(src, s, c.episode_tolerance, std::chrono::minutes(10), "10m");
         }},
        {{"wont_fix_statuses", "REDMINE_WONT_FIX_STATUSES"}, "—", read_wont_fix_statuses},
        {{"max_children", "REDMINE_MAX_CHILDREN"},
         "`0` (no limit)",
         plain<&Source::count, &Config::max_children>},
    };
}

// How the ticket text is written: markup, language, templates.
std::vector<Setting> text_settings() {
    return {
        {{"text_formatting", "REDMINE_TEXT_FORMATTING"},
         "`auto`",
         [](const Source& src, const S& s, Config& c) {
             auto f = src.string(s);
             if (!f) return;
             try {
                 c.text_formatting = parse_text_format(config_trim(*f), c.warnings);
             } catch (const std::invalid_argument& e) {
                 config_fail(s.key, e.what());
             }
         }},
        {{"language", "REDMINE_LANGUAGE"},
         "`ja`",
         [](const Source& src, const S& s, Config& c) {
             auto l = src.string(s);
             if (!l) return;
             const std::string v = config_trim(*l);
             if (v != "ja" && v != "en") config_fail(s.key, "expected ja or en, got '" + v + "'");
             c.language = v == "ja" ? Language::ja : Language::en;
         }},
        {{"templates"}, "—", read_templates},
    };
}

// Which labels make an alert's ticket and its root ticket.
std::vector<Setting> key_label_settings() {
    return {
        {{"ticket_key_labels"},
         "`[alertname, instance]`",
         [](const Source& src, const S& s, Config& c) { label_list(src, s, c.key_labels.ticket); }},
        {{"root_key_labels"},
         "`[alertname]`",
         [](const Source& src, const S& s, Config& c) { label_list(src, s, c.key_labels.root); }},
    };
}

// The ticket's fields: priority, assignee, watchers, category, custom fields, privacy.
std::vector<Setting> ticket_field_settings() {
    return {
        {{"priority_label"},
         "`severity`",
         [](const Source& src, const S& s, Config& c) {
             if (auto l = label(src, s)) c.priority_label = *l;
         }},
        {{"priorities"},
         "—",
         [](const Source& src, const S& s, Config& c) {
             if (auto m = src.mapping(s))
                 for (const auto& [value, priority] : *m) {
                     if (config_trim(priority).empty())
                         config_fail(s.key + "." + value, "empty priority");
                     c.priorities[value] = config_trim(priority);
                 }
         }},
        {{"priority"}, "Redmine's default", plain<&Source::id_or_name, &Config::priority>},
        {{"update_priority", "REDMINE_UPDATE_PRIORITY"},
         "`false`",
         [](const Source& src, const S& s, Config& c) {
             if (auto b = src.boolean(s)) c.update_priority = *b;
             if (c.update_priority && c.priorities.empty())
                 config_fail(s.key,
                             "needs priorities, the mapping of priority_label's values it follows");
         }},
        {{"assignee"}, "—", plain<&Source::id_or_name, &Config::assignee>},
        {{"assignee_label"},
         "—",
         [](const Source& src, const S& s, Config& c) {
             if (auto l = label(src, s)) c.assignee_label = *l;
         }},
        {{"watchers"}, "—", plain<&Source::strings, &Config::watchers>},
        {{"category"}, "—", plain<&Source::id_or_name, &Config::category>},
        {{"custom_fields"}, "—", read_custom_fields},
        {{"private"}, "`false`", plain<&Source::boolean, &Config::is_private>},
        {{"alert_key_field"},
         "—",
         [](const Source& src, const S& s, Config& c) {
             if (auto f = src.id(s)) c.alert_key_field = *f;
             if (c.alert_key_field && c.custom_fields.count(c.alert_key_field))
                 config_fail("custom_fields." + std::to_string(c.alert_key_field),
                             "that custom field is the " + s.key + " already");
         }},
    };
}

}  // namespace

void read_duration(const Source& src, const S& s, std::chrono::seconds& target,
                   std::chrono::seconds limit, const char* limit_text) {
    auto w = src.string(s);
    if (!w) return;
    try {
        target = std::chrono::duration_cast<std::chrono::seconds>(
            common::parse_duration(config_trim(*w)));
    } catch (const std::invalid_argument& e) {
        config_fail(s.key, e.what());
    }
    if (target > limit) config_fail(s.key, std::string("must be at most ") + limit_text);
}

void read_cron(const Source& src, const S& s, std::string& target) {
    auto cron = src.string(s);
    if (!cron) return;
    target = config_trim(*cron);
    try {
        common::CronSchedule::parse(target);  // the host's own reading of it
    } catch (const std::invalid_argument& e) {
        config_fail(s.key, e.what());
    }
}

const std::vector<Setting>& settings() {
    // Concatenated in this order, never sorted: a setting may rely on those before it.
    static const std::vector<Setting> all = [] {
        std::vector<Setting> all;
        for (auto group : {destination_settings, status_settings, carry_over_settings,
                           resolve_and_flap_settings, connection_settings, reconcile_settings,
                           text_settings, key_label_settings, ticket_field_settings}) {
            const std::vector<Setting> part = group();
            all.insert(all.end(), part.begin(), part.end());
        }
        return all;
    }();
    return all;
}

}  // namespace tg::redmine
