#include "config.hpp"

#include "templates.hpp"
#include "text_format.hpp"
#include "time/cron.hpp"
#include "time/duration.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/URI.h>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tg::redmine {

std::string StatusRef::describe() const {
    return id != 0 ? "#" + std::to_string(id) : "'" + name + "'";
}

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& why) {
    throw std::invalid_argument("redmine_grouping: config key '" + key + "': " + why);
}

std::string trim(std::string s) {
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    while (!s.empty() && !not_space(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t i = 0;
    while (i < s.size() && !not_space(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

int64_t to_id(const std::string& key, const std::string& text) {
    if (!all_digits(text) || text.size() > 15)
        fail(key, "expected a positive integer, got '" + text + "'");
    int64_t v = std::stoll(text);
    if (v <= 0) fail(key, "expected a positive integer, got '" + text + "'");
    return v;
}

// One configuration value: from the JSON object if present (type-checked), else from the env.
class Source {
  public:
    Source(Poco::JSON::Object::Ptr object, const EnvLookup& env) : object_(object), env_(env) {}

    std::optional<std::string> string(const std::string& key, const char* env_name) const {
        if (present(key)) {
            auto v = object_->get(key);
            if (!v.isString()) fail(key, "expected a string");
            return v.convert<std::string>();
        }
        return from_env(env_name);
    }
    std::optional<int64_t> id(const std::string& key, const char* env_name) const {
        if (present(key)) {
            auto v = object_->get(key);
            if (v.isString()) return to_id(key, v.convert<std::string>());
            if (v.isBoolean() || !v.isInteger()) fail(key, "expected an integer id");
            int64_t n = v.convert<int64_t>();
            if (n <= 0) fail(key, "expected a positive integer");
            return n;
        }
        if (auto s = from_env(env_name)) return to_id(key + " (" + env_name + ")", trim(*s));
        return std::nullopt;
    }
    // Numeric ids may come as numbers; identifiers and names as strings.
    std::optional<std::string> id_or_name(const std::string& key, const char* env_name) const {
        if (present(key)) {
            auto v = object_->get(key);
            if (v.isInteger() && !v.isBoolean()) {
                if (v.convert<int64_t>() <= 0) fail(key, "expected a positive id or a name");
                return v.convert<std::string>();
            }
            if (!v.isString()) fail(key, "expected an id or a name");
            return v.convert<std::string>();
        }
        return from_env(env_name);
    }
    std::optional<bool> boolean(const std::string& key, const char* env_name) const {
        if (present(key)) {
            auto v = object_->get(key);
            if (!v.isBoolean()) fail(key, "expected true or false");
            return v.convert<bool>();
        }
        if (auto s = from_env(env_name)) {
            std::string t = trim(*s);
            for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
            if (t == "false" || t == "0" || t == "no" || t == "off" || t.empty()) return false;
            fail(key + " (" + env_name + ")", "expected true or false, got '" + *s + "'");
        }
        return std::nullopt;
    }

    // A list of strings (numbers are taken as their text).
    std::optional<std::vector<std::string>> strings(const std::string& key) const {
        if (!present(key)) return std::nullopt;
        auto array = object_->getArray(key);
        if (!array) fail(key, "expected a list");
        std::vector<std::string> out;
        for (size_t i = 0; i < array->size(); ++i) {
            auto v = array->get(static_cast<unsigned>(i));
            if (!v.isString() && !(v.isInteger() && !v.isBoolean()))
                fail(key, "expected a list of names or ids");
            std::string t = trim(v.convert<std::string>());
            if (t.empty()) fail(key, "an entry is empty");
            out.push_back(t);
        }
        return out;
    }
    // A mapping of names to strings (numbers are taken as their text).
    std::optional<std::map<std::string, std::string>> mapping(const std::string& key) const {
        if (!present(key)) return std::nullopt;
        auto object = object_->getObject(key);
        if (!object) fail(key, "expected a mapping");
        std::map<std::string, std::string> out;
        for (const auto& [name, v] : *object) {
            if (v.isEmpty() || !(v.isString() || (v.isInteger() && !v.isBoolean())))
                fail(key + "." + name, "expected a string or an id");
            out[name] = v.convert<std::string>();
        }
        return out;
    }

    // A list's env twin: one text the caller splits.
    std::optional<std::string> env_text(const char* env_name) const { return from_env(env_name); }

  private:
    // `key:` with nothing after it arrives as null from YAML: the same as leaving it out.
    bool present(const std::string& key) const {
        return object_->has(key) && !object_->get(key).isEmpty();
    }
    std::optional<std::string> from_env(const char* name) const {
        if (!name || !env_) return std::nullopt;
        auto v = env_(name);
        if (v && trim(*v).empty()) return std::nullopt;
        return v;
    }
    Poco::JSON::Object::Ptr object_;
    const EnvLookup& env_;
};

StatusRef status_ref(const std::string& text) {
    StatusRef ref;
    std::string t = trim(text);
    if (all_digits(t) && t.size() < 16)
        ref.id = std::stoll(t);
    else
        ref.name = t;
    return ref;
}

std::string read_key_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail("api_key_file", "cannot read '" + path + "'");
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string key = trim(buffer.str());
    if (key.empty()) fail("api_key_file", "'" + path + "' is empty");
    return key;
}

// A label name as Prometheus allows it: the key labels end up in subjects and state keys.
bool label_name(const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char ch : s)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')) return false;
    return true;
}

std::vector<std::string> label_list(const Source& src, const std::string& key,
                                    std::vector<std::string> fallback) {
    auto list = src.strings(key);
    if (!list) return fallback;
    if (list->empty()) fail(key, "needs at least one label");
    std::set<std::string> seen;
    for (const auto& name : *list) {
        if (!label_name(name)) fail(key, "'" + name + "' is not a label name");
        if (!seen.insert(name).second) fail(key, "'" + name + "' is listed twice");
    }
    return *list;
}

// An http:// URL to another machine sends the API key over the network unencrypted.
std::optional<std::string> clear_text_warning(const Poco::URI& uri) {
    if (uri.getScheme() != "http") return std::nullopt;
    Poco::Net::IPAddress address;
    if (uri.getHost() == "localhost" ||
        (Poco::Net::IPAddress::tryParse(uri.getHost(), address) && address.isLoopback()))
        return std::nullopt;
    return "'" + uri.toString() +
           "' is http://: the API key travels in clear text to that host; use https://";
}

void check_template(const std::string& key, const std::string& source) {
    if (auto error = template_error(source)) fail(key, "bad template: " + *error);
}

// Templates, key labels and the fields of new tickets.
void parse_tickets(const Source& src, Config& c) {
    if (auto t = src.mapping("templates")) {
        const auto& names = template_names();
        for (const auto& [name, source] : *t) {
            if (std::find(names.begin(), names.end(), name) == names.end())
                fail("templates." + name,
                     "unknown template (known: subject, root_subject, "
                     "description, root_description, recurrence_note, "
                     "reopen_note, resolved_note, root_closed_note, "
                     "carry_over_note)");
            check_template("templates." + name, source);
            c.templates[name] = source;
        }
    }
    c.key_labels.ticket = label_list(src, "ticket_key_labels", c.key_labels.ticket);
    c.key_labels.root = label_list(src, "root_key_labels", c.key_labels.root);

    if (auto l = src.string("priority_label", nullptr)) {
        c.priority_label = trim(*l);
        if (!label_name(c.priority_label))
            fail("priority_label", "'" + c.priority_label + "' is not a label name");
    }
    if (auto m = src.mapping("priorities"))
        for (const auto& [value, priority] : *m) {
            if (trim(priority).empty()) fail("priorities." + value, "empty priority");
            c.priorities[value] = trim(priority);
        }
    if (auto p = src.id_or_name("priority", nullptr)) c.priority = trim(*p);
    if (auto b = src.boolean("update_priority", "REDMINE_UPDATE_PRIORITY")) c.update_priority = *b;
    if (c.update_priority && c.priorities.empty())
        fail("update_priority",
             "needs priorities, the mapping of priority_label's values it follows");
    if (auto a = src.id_or_name("assignee", nullptr)) c.assignee = trim(*a);
    if (auto l = src.string("assignee_label", nullptr)) {
        c.assignee_label = trim(*l);
        if (!label_name(c.assignee_label))
            fail("assignee_label", "'" + c.assignee_label + "' is not a label name");
    }
    if (auto w = src.strings("watchers")) c.watchers = *w;
    if (auto k = src.id_or_name("category", nullptr)) c.category = trim(*k);
    if (auto m = src.mapping("custom_fields"))
        for (const auto& [id, source] : *m) {
            const std::string key = "custom_fields." + id;
            const int64_t field = to_id(key, trim(id));
            check_template(key, source);
            c.custom_fields[field] = source;
        }
    if (auto b = src.boolean("private", nullptr)) c.is_private = *b;
    if (auto f = src.id("alert_key_field", nullptr)) c.alert_key_field = *f;
    if (c.alert_key_field && c.custom_fields.count(c.alert_key_field))
        fail("custom_fields." + std::to_string(c.alert_key_field),
             "that custom field is the alert_key_field already");
}

// A duration key (reopen_window, flap_window): Prometheus' units, whole seconds.
std::optional<std::chrono::seconds> duration_seconds(const Source& src, const std::string& key,
                                                     const char* env_name) {
    auto w = src.string(key, env_name);
    if (!w) return std::nullopt;
    try {
        return std::chrono::duration_cast<std::chrono::seconds>(common::parse_duration(trim(*w)));
    } catch (const std::invalid_argument& e) {
        fail(key, e.what());
    }
}

}  // namespace

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys{"url",
                                               "api_key",
                                               "api_key_file",
                                               "project",
                                               "tracker_id",
                                               "status_done",
                                               "status_carryover",
                                               "time_zone",
                                               "carry_over_schedule",
                                               "close_on_resolve",
                                               "reopen_window",
                                               "flap_window",
                                               "episode_tolerance",
                                               "wont_fix_statuses",
                                               "ca_file",
                                               "tls_verify",
                                               "timeout",
                                               "text_formatting",
                                               "language",
                                               "templates",
                                               "ticket_key_labels",
                                               "root_key_labels",
                                               "priority_label",
                                               "priorities",
                                               "priority",
                                               "update_priority",
                                               "assignee",
                                               "assignee_label",
                                               "watchers",
                                               "category",
                                               "custom_fields",
                                               "private",
                                               "alert_key_field"};
    return keys;
}

Config parse_config(std::string_view json, const EnvLookup& env) {
    Poco::JSON::Object::Ptr object;
    try {
        std::string text = trim(std::string(json));
        if (text.empty()) text = "{}";
        auto parsed = Poco::JSON::Parser().parse(text);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
            throw std::invalid_argument("redmine_grouping: config must be a JSON object");
        object = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("redmine_grouping: config is not valid JSON: " +
                                    e.displayText());
    }
    const auto& keys = config_keys();
    const std::set<std::string> known(keys.begin(), keys.end());
    for (const auto& [key, value] : *object)
        if (!known.count(key)) fail(key, "unknown key");

    Source src(object, env);
    Config c;

    auto url = src.string("url", "REDMINE_URL");
    if (!url || trim(*url).empty()) fail("url", "required (or set REDMINE_URL)");
    c.url = trim(*url);
    while (!c.url.empty() && c.url.back() == '/') c.url.pop_back();
    try {
        Poco::URI uri(c.url);
        if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty())
            fail("url", "expected an http:// or https:// URL, got '" + c.url + "'");
        if (!uri.getUserInfo().empty() || !uri.getQuery().empty() || !uri.getFragment().empty())
            fail("url", "must not carry credentials, a query or a fragment");
        if (auto why = clear_text_warning(uri)) c.warnings.push_back("url: " + *why);
    } catch (const Poco::Exception& e) {
        fail("url", "not a URL: " + e.displayText());
    }

    if (object->has("api_key") && object->has("api_key_file"))
        fail("api_key_file", "give either api_key or api_key_file, not both");
    if (auto file =
            src.string("api_key_file", object->has("api_key") ? nullptr : "REDMINE_API_KEY_FILE")) {
        c.api_key = read_key_file(trim(*file));
    } else if (auto key = src.string("api_key", "REDMINE_API_KEY")) {
        c.api_key = trim(*key);
    }
    if (c.api_key.empty()) fail("api_key", "required (or api_key_file, or set REDMINE_API_KEY)");
    for (char ch : c.api_key)
        if (static_cast<unsigned char>(ch) < 0x21 || static_cast<unsigned char>(ch) > 0x7e)
            fail("api_key", "contains characters that cannot go in an HTTP header");

    auto project = src.id_or_name("project", "REDMINE_PROJECT_ID");
    if (!project || trim(*project).empty()) fail("project", "required (or set REDMINE_PROJECT_ID)");
    c.project = trim(*project);

    if (auto tracker = src.id("tracker_id", "REDMINE_TRACKER_ID")) c.tracker_id = *tracker;
    if (auto s = src.id_or_name("status_done", "REDMINE_STATUS_DONE"))
        c.status_done = status_ref(*s);
    if (auto s = src.id_or_name("status_carryover", "REDMINE_STATUS_CARRYOVER"))
        c.status_carryover = status_ref(*s);

    if (auto tz = src.string("time_zone", "REDMINE_TIME_ZONE")) {
        c.time_zone = trim(*tz);
        try {
            date::locate_zone(c.time_zone);
        } catch (const std::exception&) {
            fail("time_zone", "unknown IANA time zone '" + c.time_zone + "'");
        }
    } else {
        try {
            c.time_zone = date::current_zone()->name();
        } catch (const std::exception&) {
            c.time_zone = "UTC";
        }
    }

    if (auto cron = src.string("carry_over_schedule", "REDMINE_CARRY_OVER_SCHEDULE")) {
        c.carry_over_schedule = trim(*cron);
        try {
            common::CronSchedule::parse(c.carry_over_schedule);  // the host's own reading of it
        } catch (const std::invalid_argument& e) {
            fail("carry_over_schedule", e.what());
        }
    }

    if (auto b = src.boolean("close_on_resolve", "REDMINE_CLOSE_ON_RESOLVE"))
        c.close_on_resolve = *b;
    if (auto w = duration_seconds(src, "reopen_window", "REDMINE_REOPEN_WINDOW"))
        c.reopen_window = *w;
    if (auto w = duration_seconds(src, "flap_window", "REDMINE_FLAP_WINDOW")) {
        c.flap_window = *w;
        if (c.flap_window > std::chrono::hours(24)) fail("flap_window", "must be at most 24h");
    }
    if (auto t = duration_seconds(src, "episode_tolerance", "REDMINE_EPISODE_TOLERANCE")) {
        c.episode_tolerance = *t;
        if (c.episode_tolerance > std::chrono::minutes(10))
            fail("episode_tolerance", "must be at most 10m");
    }
    // A list in the routing file; in the env file the names or ids separated by commas.
    std::optional<std::vector<std::string>> wont_fix = src.strings("wont_fix_statuses");
    if (!wont_fix)
        if (auto text = src.env_text("REDMINE_WONT_FIX_STATUSES")) {
            wont_fix.emplace();
            std::stringstream entries(*text);
            for (std::string entry; std::getline(entries, entry, ',');) {
                if (trim(entry).empty())
                    fail("wont_fix_statuses (REDMINE_WONT_FIX_STATUSES)", "an entry is empty");
                wont_fix->push_back(trim(entry));
            }
        }
    if (wont_fix) {
        std::set<std::string> seen;
        for (const auto& entry : *wont_fix) {
            if (!seen.insert(entry).second)
                fail("wont_fix_statuses", "'" + entry + "' is listed twice");
            c.wont_fix_statuses.push_back(status_ref(entry));
        }
    }
    if (auto f = src.string("ca_file", "REDMINE_CA_FILE")) {
        c.ca_file = trim(*f);
        if (!std::ifstream(c.ca_file)) fail("ca_file", "cannot read '" + c.ca_file + "'");
    }
    if (auto b = src.boolean("tls_verify", "REDMINE_TLS_VERIFY")) c.tls_verify = *b;
    if (auto t = src.string("timeout", "REDMINE_TIMEOUT")) {
        try {
            c.timeout = common::parse_duration(trim(*t));
        } catch (const std::invalid_argument& e) {
            fail("timeout", e.what());
        }
        if (c.timeout.count() <= 0) fail("timeout", "must be positive");
        // Poco takes microseconds: a bound keeps the conversion far from overflowing.
        if (c.timeout > std::chrono::hours(24)) fail("timeout", "must be at most 24h");
    }
    if (auto f = src.string("text_formatting", "REDMINE_TEXT_FORMATTING")) {
        try {
            c.text_formatting = parse_text_format(trim(*f), c.warnings);
        } catch (const std::invalid_argument& e) {
            fail("text_formatting", e.what());
        }
    }
    if (auto l = src.string("language", "REDMINE_LANGUAGE")) {
        const std::string v = trim(*l);
        if (v == "ja")
            c.language = Language::ja;
        else if (v == "en")
            c.language = Language::en;
        else
            fail("language", "expected ja or en, got '" + v + "'");
    }
    parse_tickets(src, c);
    if (c.close_on_resolve && c.status_done.empty())
        fail("status_done", "required when close_on_resolve is true (or set REDMINE_STATUS_DONE)");
    return c;
}

}  // namespace tg::redmine
