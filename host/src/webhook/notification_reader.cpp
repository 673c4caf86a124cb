#include "webhook/notification_reader.hpp"

#include "text/utf8.hpp"
#include "time/rfc3339.hpp"
#include "webhook/fingerprint.hpp"
#include "webhook/json_text.hpp"

#include <cstdio>
#include <stdexcept>

namespace tg::host {
namespace {

bool one_of(const std::string& key, std::initializer_list<const char*> names) {
    for (const char* name : names)
        if (key == name) return true;
    return false;
}

bool is_status(std::string_view s) { return s == "firing" || s == "resolved"; }

}  // namespace

NotificationReader::NotificationReader(const ParseLimits& limits,
                                       std::optional<std::string> forced_status)
    : limits_(limits), forced_status_(std::move(forced_status)) {}

std::string NotificationReader::json_number(const Poco::Dynamic::Var& v) { return json_scalar(v); }

std::string NotificationReader::path() const {
    std::string out;
    for (const Level& level : levels_) {
        if (!level.object)
            out += "[" + std::to_string(level.count) + "]";
        else if (level.role == Role::root)
            out = level.key;
        else
            out += "." + level.key;
    }
    return out;
}

void NotificationReader::refuse(const std::string& problem) const {
    throw WebhookError(422, path() + " " + problem);
}

void NotificationReader::check_text(std::string_view text, bool name) const {
    // \u escapes can still make invalid UTF-8 (a lone surrogate such as \ud800).
    if (common::invalid_utf8_at(text) != std::string_view::npos)
        throw WebhookError(400, (path().empty() ? std::string("the body") : path()) +
                                    " holds a string that is not valid UTF-8");
    const size_t at = forbidden_control_at(text);
    if (at == std::string_view::npos) return;
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned char>(text[at]));
    if (!name) throw WebhookError(422, path() + ": control character " + code);
    // A name: the object it is in, not the member before it.
    std::string where = path();
    where = where.substr(0, where.size() - levels_.back().key.size());
    if (!where.empty() && where.back() == '.') where.pop_back();
    throw WebhookError(422, (where.empty() ? std::string("the body") : where) +
                                ": control character " + code + " in a name");
}

void NotificationReader::key(const std::string& k) {
    check_text(k, true);
    levels_.back().key = k;
    if (capturing_) writer_.key(k);
}

void NotificationReader::value(const std::string& v) {
    check_text(v, false);
    scalar(Kind::string, json_string(v), v);
}

void NotificationReader::check_top(const std::string& key, Kind kind, std::string_view decoded) {
    if (kind == Kind::null) {
        if (key == "alerts") refuse("is required (an array)");
        return;
    }
    if (key == "alerts") {
        if (kind != Kind::array) refuse("must be an array");
    } else if (key == "version") {
        if (kind != Kind::string || decoded != "4")
            refuse("must be \"4\" (Alertmanager webhook version 4)");
    } else if (key == "status") {
        if (kind != Kind::string) refuse("must be a string");
        if (!is_status(decoded)) refuse("must be \"firing\" or \"resolved\"");
        top_status_ = decoded;
    } else if (one_of(key, {"receiver", "externalURL", "groupKey"})) {
        if (kind != Kind::string) refuse("must be a string");
    } else if (one_of(key, {"groupLabels", "commonLabels", "commonAnnotations"})) {
        if (kind != Kind::object) refuse("must be an object of strings");
    } else if (key == "truncatedAlerts") {
        if (kind != Kind::integer) refuse("must be an integer");
    }
}

void NotificationReader::check_alert_member(const std::string& key, Kind kind,
                                            std::string_view decoded) {
    if (key == "labels") {
        if (kind == Kind::null) refuse("is required (an object of strings)");
        if (kind != Kind::object) refuse("must be an object of strings");
        alert_.has_labels = true;
        alert_.labels.clear();  // a second "labels": the last one counts
        return;
    }
    if (kind == Kind::null) {
        if (key == "status") alert_.status.clear();
        if (key == "fingerprint") alert_.has_fingerprint = false;
        return;
    }
    if (key == "annotations") {
        if (kind != Kind::object) refuse("must be an object of strings");
    } else if (one_of(key, {"startsAt", "endsAt"})) {
        if (kind != Kind::string) refuse("must be a string");
        // RFC 3339 with any offset, as Alertmanager sends, read as the sinks read it: a time
        // taken here is one they can parse.
        if (!decoded.empty()) {
            try {
                common::parse_rfc3339(decoded);
            } catch (const std::invalid_argument& e) {
                refuse(std::string("must be an RFC 3339 time: ") + e.what());
            }
        }
    } else if (key == "generatorURL") {
        if (kind != Kind::string) refuse("must be a string");
    } else if (key == "status") {
        if (kind != Kind::string) refuse("must be a string");
        if (!decoded.empty() && !is_status(decoded)) refuse("must be \"firing\" or \"resolved\"");
        alert_.status = decoded;
    } else if (key == "fingerprint") {
        if (kind != Kind::string) refuse("must be a string");
        alert_.has_fingerprint = !decoded.empty();
    }
}

NotificationReader::Role NotificationReader::check(Kind kind, std::string_view decoded) {
    const Level& parent = levels_.back();
    switch (parent.role) {
        case Role::root:
            check_top(parent.key, kind, decoded);
            if (parent.key == "alerts") return Role::alerts;
            if (one_of(parent.key, {"groupLabels", "commonLabels", "commonAnnotations"}))
                return Role::strings;
            return Role::any;
        case Role::alerts:
            if (kind != Kind::object) refuse("must be an object");
            if (parent.count >= limits_.max_alerts)
                throw WebhookError(
                    413, "alerts: more than " + std::to_string(limits_.max_alerts) +
                             " alerts in one notification (the limit is server.max_alerts, or "
                             "WEBHOOK_MAX_ALERTS; Alertmanager's webhook_config max_alerts "
                             "sends fewer)");
            return Role::alert;
        case Role::alert:
            check_alert_member(parent.key, kind, decoded);
            if (parent.key == "labels") return Role::labels;
            if (parent.key == "annotations") return Role::strings;
            return Role::any;
        case Role::strings:
        case Role::labels:
            if (kind != Kind::string) refuse("must be a string");
            return Role::any;
        case Role::any:
            break;
    }
    return Role::any;
}

void NotificationReader::begin(bool object) {
    charge(false);
    if (levels_.empty()) {
        if (!object) throw WebhookError(400, "the body must be a JSON object");
        levels_.push_back({Role::root, true, {}, 0});
        return;
    }
    const Role role = check(object ? Kind::object : Kind::array, {});
    const Level& parent = levels_.back();
    if (role == Role::alerts) {  // a second "alerts": the last one counts
        result_.clear_alerts();
        defaulted_.reset();
        seen_alerts_ = true;
    } else if (parent.role == Role::root || parent.role == Role::alerts) {
        capturing_ = true;
    }
    if (role == Role::alert) alert_ = {};
    if (capturing_) object ? writer_.start_object() : writer_.start_array();
    levels_.push_back({role, object, {}, 0});
}

void NotificationReader::scalar(Kind kind, const std::string& json_text, std::string_view decoded) {
    charge(false);
    if (levels_.empty()) throw WebhookError(400, "the body must be a JSON object");
    check(kind, decoded);
    const Level& parent = levels_.back();
    if (parent.role == Role::labels) alert_.labels.emplace_back(parent.key, decoded);
    if (capturing_)
        writer_.value(json_text);
    else if (parent.role == Role::root)
        result_.members_[parent.key] = json_text;
    after_value();
}

void NotificationReader::after_value() {
    if (!levels_.empty() && !levels_.back().object) ++levels_.back().count;
}

void NotificationReader::finish() {
    const Role role = levels_.back().role;
    levels_.pop_back();
    if (role == Role::root) return;
    if (role == Role::alert) {
        end_alert();
    } else if (capturing_) {
        writer_.end();
        if (writer_.done()) {  // a top-level member
            capturing_ = false;
            result_.members_[levels_.back().key] = writer_.take();
        }
    }
    after_value();
}

void NotificationReader::end_alert() {
    if (!alert_.has_labels)
        throw WebhookError(422, path() + ".labels is required (an object of strings)");
    Labels labels;
    for (auto& [name, value] : alert_.labels)
        labels.insert_or_assign(std::move(name), std::move(value));
    if (labels.empty()) throw WebhookError(422, path() + ".labels must not be empty");
    std::string status = alert_.status;
    if (status.empty()) {
        status = forced_status_ ? *forced_status_ : top_status_;
        if (!defaulted_) defaulted_ = status;
    }
    writer_.set_member("status", json_string(status));
    if (!alert_.has_fingerprint)
        writer_.set_member("fingerprint", json_string(alertmanager_fingerprint(labels)));
    writer_.end();
    capturing_ = false;
    result_.add_alert(writer_.take(), labels);
    charge(true);
}

void NotificationReader::charge(bool now) {
    if (!limits_.reserve || (!now && (++events_ % 1024) != 0)) return;
    const size_t bytes = result_.bytes() + writer_.held();
    if (bytes < next_charge_) return;
    if (!limits_.reserve(bytes))
        throw WebhookError(503, "the intake is busy (server.max_inflight_bytes), retry later");
    next_charge_ = bytes + 256 * 1024;
}

Notification NotificationReader::finish_document() {
    if (!seen_alerts_) throw WebhookError(422, "alerts is required (an array)");
    if (result_.alert_count() == 0) throw WebhookError(422, "alerts is empty: nothing to route");
    if (!forced_status_ && defaulted_ && *defaulted_ != top_status_) rerun_with_ = top_status_;
    return std::move(result_);
}

}  // namespace tg::host
