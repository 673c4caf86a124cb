#include "config/routing_loader.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/auth_settings.hpp"
#include "config/matcher_parser.hpp"
#include "config/server_settings.hpp"
#include "config/yaml_json.hpp"
#include "config/yaml_position.hpp"
#include "config/yaml_reader.hpp"
#include "system/file_read.hpp"
#include "time/cron.hpp"
#include "time/duration.hpp"
#include "time/time_zone.hpp"

namespace tg::host {

namespace {

bool valid_sink_name(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

class Loader : private YamlReader {
  public:
    Loader(const std::string& file, const Environment& env) : YamlReader(file, env) {}

    RoutingConfig load(const std::string& text) {
        text_ = text;
        const std::vector<YAML::Node> docs = documents(text);
        if (docs.size() > 1) {
            throw ConfigError(file_, line_of(docs[1]), "",
                              "the file holds several YAML documents; write only one");
        }
        if (docs.empty() || docs[0].IsNull()) {
            throw ConfigError(file_, 1, "",
                              "the file is empty: it needs at least sinks: and route:");
        }
        const YAML::Node& top = docs[0];
        RoutingConfig cfg;
        cfg.source_file = file_;
        auto e =
            entries(top, "", "", 1,
                    {"plugin_dirs", "state_dir", "store", "time_zone", "server", "sinks", "route"});

        if (const Entry* x = find(e, "plugin_dirs")) {
            if (!x->value.IsNull()) {
                if (!x->value.IsSequence()) {
                    fail(*x, "expected a list of directories, got " + type_name(x->value));
                }
                for (size_t i = 0; i < x->value.size(); ++i) {
                    Entry item{"", x->value[i], x->value[i],
                               x->path + "[" + std::to_string(i) + "]"};
                    cfg.plugin_dirs.push_back(non_empty_string(item));
                }
            }
        }
        if (const Entry* x = find(e, "state_dir")) cfg.state_dir = non_empty_string(*x);
        if (const Entry* x = find(e, "store")) {
            // The URL is checked in full when the store is opened; its kind is checked here.
            std::string url = non_empty_string(*x);
            if (url.rfind("sqlite:", 0) != 0 && url.rfind("postgresql://", 0) != 0 &&
                url.rfind("postgres://", 0) != 0) {
                fail(*x, "expected sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE");
            }
            cfg.store = url;
            cfg.store_line = x->line();
        }
        if (const Entry* x = find(e, "time_zone")) {
            std::string tz = string(*x);
            if (!tz.empty()) {
                zone(*x, tz);
                cfg.time_zone = tz;
            }
        }
        apply_server_variables(env_, cfg.server);  // beneath the file's own keys
        if (const Entry* x = find(e, "server"))
            load_server(*x, cfg.server);
        else
            check_server_variables(cfg.server);
        const Entry* sinks = find(e, "sinks");
        if (sinks == nullptr)
            fail_at(line_of(top), "sinks", "missing required key (the sinks alerts go to)");
        load_sinks(*sinks, cfg);
        const Entry* route = find(e, "route");
        if (route == nullptr)
            fail_at(line_of(top), "route", "missing required key (the root route)");
        cfg.root = load_route(*route, cfg, "", true);
        return cfg;
    }

  private:
    std::string_view text_;  // the file, for columns

    void load_server(const Entry& s, ServerSettings& out) const {
        std::vector<std::string> allowed{"listen", "auth", "tls"};
        for (const auto& setting : server_settings()) allowed.push_back(setting.key);
        auto e = entries(s.value, s.path, "", s.line(), allowed);
        if (const Entry* x = find(e, "auth")) load_auth(*x, out.auth);
        if (const Entry* x = find(e, "tls")) {
            auto t = entries(x->value, x->path, "", x->line(), {"cert_file", "key_file"});
            const Entry* cert = find(t, "cert_file");
            const Entry* key = find(t, "key_file");
            if (!cert || !key) fail(*x, "tls needs both cert_file and key_file");
            out.tls = TlsSettings{readable_file(*cert), readable_file(*key)};
        }
        if (const Entry* x = find(e, "listen")) {
            std::string v = non_empty_string(*x);
            size_t colon = v.rfind(':');
            int port = 0;
            bool ok = colon != std::string::npos && colon > 0 && colon + 1 < v.size();
            if (ok) {
                auto [p, ec] = std::from_chars(v.data() + colon + 1, v.data() + v.size(), port);
                ok = ec == std::errc() && p == v.data() + v.size() && port >= 1 && port <= 65535;
            }
            if (!ok) fail(*x, "expected ADDRESS:PORT (like 0.0.0.0:5005), got \"" + v + "\"");
            out.listen = v;
        }
        for (const Entry& x : e) {
            const ServerSetting* setting = find_server_setting(x.key);
            if (!setting) continue;
            if (!x.value.IsScalar())
                fail(x,
                     std::string("expected ") + setting->expected + ", got " + type_name(x.value));
            try {
                setting->apply(string(x), out);
            } catch (const std::invalid_argument& ex) {
                fail(x, ex.what());
            }
        }
        if (const auto problem = check_server_settings(out); !problem.key.empty()) {
            const Entry* x = find(e, problem.key);
            fail_at(x ? x->line() : s.line(), s.path + "." + problem.key, problem.problem);
        }
    }

    std::optional<SettingText> setting_text(const std::vector<Entry>& e,
                                            const std::string& key) const {
        const Entry* x = find(e, key);
        if (!x) return std::nullopt;
        return SettingText{string(*x), x->path, x->line()};
    }

    // Resolved as the WEBHOOK_* variables are (auth_settings.hpp), with this file's lines.
    void load_auth(const Entry& a, WebhookAuth& out) const {
        auto e = entries(a.value, a.path, "", a.line(),
                         {"bearer_token", "bearer_token_file", "basic_auth"});
        WebhookAuthSource source;
        source.bearer_token = setting_text(e, "bearer_token");
        source.bearer_token_file = setting_text(e, "bearer_token_file");
        if (const Entry* b = find(e, "basic_auth")) {
            auto be = entries(b->value, b->path, "", b->line(),
                              {"username", "password", "password_file"});
            if (!find(be, "username")) fail(*b, "basic_auth needs a username");
            if (!find(be, "password") && !find(be, "password_file"))
                fail(*b, "basic_auth needs password or password_file");
            source.basic_username = setting_text(be, "username");
            source.basic_password = setting_text(be, "password");
            source.basic_password_file = setting_text(be, "password_file");
        }
        try {
            out = resolve_webhook_auth(source);
        } catch (const SettingError& ex) {
            fail_at(ex.line, ex.name, ex.problem);
        }
    }

    void load_sinks(const Entry& s, RoutingConfig& cfg) const {
        auto e = entries(s.value, s.path, "sink name: settings", s.line(), {});
        if (e.empty()) fail(s, "at least one sink is required");
        for (const Entry& x : e) {
            if (!valid_sink_name(x.key)) {
                fail_at(line_of(x.key_node), x.path,
                        "invalid sink name \"" + x.key + "\" (use letters, digits, _ . -)");
            }
            cfg.sinks.push_back(load_sink(x, cfg));
        }
    }

    // A sink's `retry:` block.
    RetryPolicy retry_policy(const Entry& r) const {
        auto re = entries(r.value, r.path, "", r.line(),
                          {"initial_backoff", "max_backoff", "max_attempts", "max_age"});
        RetryPolicy p;
        if (const Entry* x = find(re, "initial_backoff")) {
            p.initial_backoff = duration(*x);
            if (p.initial_backoff.count() <= 0) fail(*x, "must be more than 0");
        }
        if (const Entry* x = find(re, "max_backoff")) {
            p.max_backoff = duration(*x);
            if (p.max_backoff.count() <= 0) fail(*x, "must be more than 0");
        }
        if (p.max_backoff < p.initial_backoff) {
            const Entry* x = find(re, "max_backoff");
            if (x == nullptr) x = find(re, "initial_backoff");
            fail(*x, "max_backoff (" + common::format_duration(p.max_backoff) +
                         ") is less than initial_backoff (" +
                         common::format_duration(p.initial_backoff) + ")");
        }
        if (const Entry* x = find(re, "max_attempts")) {
            p.max_attempts =
                static_cast<uint32_t>(integer(*x, 0, std::numeric_limits<uint32_t>::max()));
        }
        if (const Entry* x = find(re, "max_age")) {
            auto age = duration(*x);
            if (age < std::chrono::seconds{1}) fail(*x, "must be at least 1s");
            p.max_age = std::chrono::duration_cast<std::chrono::seconds>(age);
        }
        return p;
    }

    SinkConfig load_sink(const Entry& s, const RoutingConfig& cfg) const {
        SinkConfig sink;
        sink.name = s.key;
        sink.line = line_of(s.key_node);
        if (s.value.IsNull()) fail(s, "missing required key \"plugin\"");
        auto e = entries(s.value, s.path, "plugin, config, retry, concurrency, hooks", s.line(),
                         {"plugin", "config", "retry", "concurrency", "hooks"});
        const Entry* plugin = find(e, "plugin");
        if (plugin == nullptr) fail_at(sink.line, s.path + ".plugin", "missing required key");
        sink.plugin = non_empty_string(*plugin);

        sink.config_json = "{}";
        if (const Entry* x = find(e, "config"); x != nullptr && !x->value.IsNull()) {
            if (!x->value.IsMap()) fail(*x, "expected a map, got " + type_name(x->value));
            sink.config_json = yaml_to_json(x->value, env_, file_, x->path);
        }

        if (const Entry* r = find(e, "retry")) sink.retry = retry_policy(*r);

        if (const Entry* x = find(e, "concurrency"))
            sink.concurrency = static_cast<uint32_t>(integer(*x, 1, SinkConfig::max_concurrency));

        if (const Entry* h = find(e, "hooks")) {
            for (const Entry& hook :
                 entries(h->value, h->path, "hook name: settings", h->line(), {})) {
                if (!valid_sink_name(hook.key)) {
                    fail_at(line_of(hook.key_node), hook.path,
                            "invalid hook name \"" + hook.key + "\" (use letters, digits, _ . -)");
                }
                HookSchedule hs;
                auto he = entries(hook.value, hook.path, "", hook.line(),
                                  {"schedule", "time_zone", "enabled"});
                const date::time_zone* tz = nullptr;
                if (const Entry* x = find(he, "time_zone")) {
                    std::string name = non_empty_string(*x);
                    tz = zone(*x, name);
                    hs.time_zone = name;
                }
                if (tz == nullptr) tz = common::find_time_zone(cfg.time_zone.value_or(""));
                if (const Entry* x = find(he, "schedule")) {
                    std::string text = non_empty_string(*x);
                    try {
                        common::CronSchedule c = common::CronSchedule::parse(text);
                        c.next_after(std::chrono::system_clock::now(), tz);
                    } catch (const std::exception& ex) {
                        fail(*x, ex.what());
                    }
                    hs.cron = text;
                }
                if (const Entry* x = find(he, "enabled")) hs.enabled = boolean(*x);
                sink.hooks.emplace(hook.key, std::move(hs));
            }
        }
        return sink;
    }

    std::string sink_names(const RoutingConfig& cfg) const {
        std::vector<std::string> names;
        for (const auto& s : cfg.sinks) names.push_back(s.name);
        return join(names);
    }

    // One `matchers:` item: one matcher or several, as Alertmanager reads it; an error points
    // at the line and, where the file shows the value as it reads, the column.
    std::vector<Matcher> matchers(const Entry& item) const {
        try {
            return parse_matchers(item.value.Scalar());
        } catch (const MatcherError& e) {
            throw ConfigError(
                file_, item.line(), item.path, e.what(),
                scalar_char_column(text_, item.value.Mark(), item.value.Scalar(), e.column));
        }
    }

    Route load_route(const Entry& r, const RoutingConfig& cfg, const std::string& parent_sink,
                     bool is_root) const {
        Route route;
        route.path = r.path;
        auto e = entries(r.value, r.path, "sink, matchers, continue, routes", r.line(),
                         {"sink", "matchers", "continue", "routes"});
        route.sink = parent_sink;
        if (const Entry* x = find(e, "sink")) {
            std::string name = non_empty_string(*x);
            if (cfg.find_sink(name) == nullptr) {
                fail(*x, "unknown sink \"" + name + "\" (defined: " + sink_names(cfg) + ")");
            }
            route.sink = name;
        } else if (is_root) {
            fail_at(r.line(), r.path + ".sink",
                    "missing required key: the root route needs a sink (the default one)");
        }
        if (const Entry* x = find(e, "matchers")) {
            if (is_root) {
                fail(*x, "the root route matches every alert: it may not have matchers");
            }
            if (!x->value.IsNull()) {
                if (!x->value.IsSequence()) {
                    fail(*x, "expected a list of matchers like ['severity = \"critical\"'], got " +
                                 type_name(x->value));
                }
                for (size_t i = 0; i < x->value.size(); ++i) {
                    Entry item{"", x->value[i], x->value[i],
                               x->path + "[" + std::to_string(i) + "]"};
                    if (!item.value.IsScalar()) {
                        fail(item, "expected a matcher like 'severity = \"critical\"', got " +
                                       type_name(item.value));
                    }
                    for (Matcher& m : matchers(item)) route.matchers.push_back(std::move(m));
                }
            }
        }
        if (const Entry* x = find(e, "continue")) {
            if (is_root) fail(*x, "the root route may not have continue");
            route.continue_matching = boolean(*x);
        }
        if (const Entry* x = find(e, "routes"); x != nullptr && !x->value.IsNull()) {
            if (!x->value.IsSequence()) {
                fail(*x, "expected a list of routes, got " + type_name(x->value));
            }
            for (size_t i = 0; i < x->value.size(); ++i) {
                Entry child{"", x->value[i], x->value[i], x->path + "[" + std::to_string(i) + "]"};
                route.routes.push_back(load_route(child, cfg, route.sink, false));
            }
        }
        return route;
    }
};

}  // namespace

RoutingConfig load_routing_text(const std::string& text, const std::string& file_name,
                                const Environment& env) {
    return Loader(file_name, env).load(text);
}

RoutingConfig load_routing_file(const std::string& path, const Environment& env) {
    const auto file = common::read_whole_file(path);
    if (!file.content)
        throw ConfigError(path, 0, "", "cannot read the routing file: " + file.error);
    return load_routing_text(*file.content, path, env);
}

}  // namespace tg::host
