#include "targets.hpp"

#include "config/matcher.hpp"
#include "config/matcher_parser.hpp"
#include "config/routing_loader.hpp"
#include "webhook/notification.hpp"

#include <Poco/JSON/Array.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace tg::fuzz {
namespace {

[[noreturn]] void broken(const char* property, const std::string& detail) {
    std::fprintf(stderr, "fuzz property broken: %s: %s\n", property, detail.substr(0, 500).c_str());
    std::abort();
}

}  // namespace

int webhook(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    host::Notification notification;
    try {
        notification = host::parse_notification(text);
    } catch (const host::WebhookError& e) {
        if (e.http_status != 400 && e.http_status != 413 && e.http_status != 422)
            broken("webhook status", std::to_string(e.http_status));
        return 0;
    }
    const size_t count = notification.alert_count();
    std::vector<size_t> all(count), some;
    for (size_t i = 0; i < count; ++i) {
        all[i] = i;
        if (i % 2 == 0) some.push_back(i);
    }
    for (const auto* indexes : {&all, &some}) {
        const std::string out = host::serialize_subset(notification, *indexes);
        host::Notification again;
        try {
            again = host::parse_notification(out);
        } catch (const host::WebhookError& e) {
            broken("serialize_subset output parses", std::string(e.what()) + " in " + out);
        }
        if (again.alert_count() != indexes->size()) broken("subset size", out);
        for (size_t k = 0; k < indexes->size(); ++k)
            if (again.labels(k) != notification.labels((*indexes)[k])) broken("subset labels", out);
        std::vector<size_t> every(indexes->size());
        for (size_t k = 0; k < every.size(); ++k) every[k] = k;
        if (host::serialize_subset(again, every) != out)
            broken("serialize_subset is deterministic", out);
    }
    return 0;
}

int matcher(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const size_t newline = text.find('\n');
    const std::string_view spec = text.substr(0, newline);
    const std::string value(newline == std::string_view::npos ? std::string_view()
                                                              : text.substr(newline + 1));
    std::vector<host::Matcher> list;
    try {
        list = host::parse_matchers(spec);
    } catch (const host::MatcherError& e) {
        if (e.column > spec.size() + 1) broken("error column within the text", e.what());
        return 0;
    }
    if (list.empty()) broken("a parsed list is not empty", std::string(spec));
    for (const host::Matcher& m : list) {
        const host::Labels labels{{m.name, value}, {"other", value}};
        const bool result = m.matches(labels);
        host::Matcher back;
        try {
            back = host::Matcher::parse(m.to_string());
        } catch (const std::invalid_argument& e) {
            broken("parse(to_string()) parses", m.to_string() + ": " + e.what());
        }
        if (back.name != m.name || back.op != m.op || back.value != m.value)
            broken("parse(to_string()) round-trips", m.to_string());
        if (back.matches(labels) != result)
            broken("round-tripped matcher matches alike", m.to_string());
    }
    return 0;
}

int routing(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto config = host::load_routing_text(text, "fuzz.yaml", host::Environment());
        (void)config;
    } catch (const host::ConfigError&) {
    }
    return 0;
}

Target find_target(const std::string& name) {
    if (name == "webhook") return &webhook;
    if (name == "matcher") return &matcher;
    if (name == "routing") return &routing;
#ifndef TG_FUZZ_NO_REDMINE
    if (name == "redmine_config") return &redmine_config;
#endif
    return nullptr;
}

}  // namespace tg::fuzz
