// The notification a sink receives, as typed values (Alertmanager webhook version 4):
//
//     for (const tg::Alert& alert : tg::parse_notification(delivery).alerts)
//         if (alert.firing()) open_ticket(alert.label("alertname"), alert.label("instance"));
//
// The C ABI stays plain JSON text; this header reads it with nlohmann::json (Debian's
// nlohmann-json3-dev), which the SDK's CMake package finds for the sink. A notification that does
// not read (malformed JSON, a wrong type) throws tg::Drop naming the field: retrying the same
// content cannot fix it, and the wrapper turns it into TG_DROP at the boundary.
#pragma once

#include <tickets_grouping/sink.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tg {

// Microseconds reach from year 1 (Go's zero time) to beyond 9999; Alertmanager's nanoseconds are
// cut to microseconds.
using Time = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
// 0001-01-01T00:00:00Z, Go's zero time: Alertmanager's "not set" (the endsAt of many firing
// alerts). An absent startsAt or endsAt reads as this too.
inline constexpr Time zero_time{std::chrono::microseconds{-62135596800LL * 1000000}};

namespace detail {
// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
constexpr int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}
constexpr void civil_from_days(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = yoe + era * 400 + (m <= 2);
}
}  // namespace detail

// RFC 3339 as Alertmanager writes it: "2024-05-01T09:30:00.123456789Z", "...+09:00", any number
// of fractional digits, 'T', 't' or ' ' between date and time. Throws std::invalid_argument.
inline Time parse_time(std::string_view text) {
    auto bad = [&] {
        return std::invalid_argument("invalid RFC 3339 time \"" + std::string(text.substr(0, 64)) +
                                     "\"");
    };
    size_t i = 0;
    auto digit = [&] { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
    auto number = [&](int digits) {
        int64_t n = 0;
        for (int k = 0; k < digits; ++k, ++i) {
            if (!digit()) throw bad();
            n = n * 10 + (text[i] - '0');
        }
        return n;
    };
    auto expect = [&](std::string_view one_of) {
        if (i >= text.size() || one_of.find(text[i]) == std::string_view::npos) throw bad();
        return text[i++];
    };
    const int64_t year = number(4), month = (expect("-"), number(2)),
                  day = (expect("-"), number(2));
    const int64_t hour = (expect("Tt "), number(2)), minute = (expect(":"), number(2));
    const int64_t second = (expect(":"), number(2));
    int64_t micros = 0, scale = 100000;
    if (i < text.size() && text[i] == '.') {
        if (++i, !digit()) throw bad();
        for (; digit(); ++i, scale /= 10) micros += (text[i] - '0') * scale;
    }
    int64_t offset_minutes = 0;
    if (const char zone = expect("Zz+-"); zone == '+' || zone == '-') {
        const int64_t sign = zone == '-' ? -1 : 1, hours = number(2);
        const int64_t minutes = (expect(":"), number(2));
        if (hours > 23 || minutes > 59) throw bad();
        offset_minutes = sign * (hours * 60 + minutes);
    }
    const int64_t month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if (i != text.size() || month < 1 || month > 12 || day < 1 ||
        day > month_days[month - 1] + (month == 2 && leap) || hour > 23 || minute > 59 ||
        second > 60)
        throw bad();
    const int64_t seconds = detail::days_from_civil(year, month, day) * 86400 + hour * 3600 +
                            minute * 60 + second - offset_minutes * 60;
    return Time{std::chrono::microseconds{seconds * 1000000 + micros}};
}

// UTC, fractional digits only when there are any: "2024-05-01T00:30:00.5Z",
// "0001-01-01T00:00:00Z" for zero_time.
inline std::string format_time(Time time) {
    const int64_t us = time.time_since_epoch().count();
    const int64_t seconds = (us >= 0 ? us : us - 999999) / 1000000, micros = us - seconds * 1000000;
    const int64_t days = (seconds >= 0 ? seconds : seconds - 86399) / 86400,
                  in_day = seconds - days * 86400;
    int64_t y = 0, m = 0, d = 0;
    detail::civil_from_days(days, y, m, d);
    char text[48];
    int n = std::snprintf(
        text, sizeof text, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", static_cast<long long>(y),
        static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(in_day / 3600),
        static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60));
    if (micros) {
        n += std::snprintf(text + n, sizeof text - n, ".%06lld", static_cast<long long>(micros));
        while (text[n - 1] == '0') --n;
    }
    return std::string(text, n) + "Z";
}

using Labels = std::map<std::string, std::string, std::less<>>;

struct Alert {
    std::string status;  // "firing" or "resolved" (the host fills it in when the sender did not)
    Labels labels;       // never empty: the host refuses an alert without labels
    Labels annotations;
    Time starts_at = zero_time;  // JSON startsAt
    Time ends_at = zero_time;    // JSON endsAt; zero_time while no end is known
    std::string generator_url;   // JSON generatorURL
    std::string fingerprint;  // Alertmanager's hash of the labels (the host computes it if absent)

    bool firing() const { return status == "firing"; }
    bool resolved() const { return status == "resolved"; }
    // The label's or annotation's value, "" when there is none.
    std::string label(std::string_view name) const { return value_of(labels, name); }
    std::string annotation(std::string_view name) const { return value_of(annotations, name); }

  private:
    static std::string value_of(const Labels& map, std::string_view name) {
        const auto it = map.find(name);
        return it == map.end() ? std::string() : it->second;
    }
};

struct Notification {
    std::string version;  // "4", or "" when the sender left it out
    std::string status;   // of the group: "firing" while any alert fires, else "resolved"
    std::string receiver;
    std::string group_key;  // JSON groupKey
    int64_t truncated_alerts =
        0;                      // JSON truncatedAlerts: alerts Alertmanager left out (max_alerts)
    Labels group_labels;        // JSON groupLabels
    Labels common_labels;       // JSON commonLabels
    Labels common_annotations;  // JSON commonAnnotations
    std::string external_url;   // JSON externalURL
    std::vector<Alert> alerts;  // only the alerts routed to this sink, never empty
};

namespace detail {

[[noreturn]] inline void bad_field(const std::string& path, const std::string& problem) {
    throw Drop("notification: " + path + " " + problem);
}
inline std::string text_field(const nlohmann::json& object, const char* key,
                              const std::string& path) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return "";
    if (!it->is_string()) bad_field(path + key, "must be a string");
    return it->get<std::string>();
}
inline Labels labels_field(const nlohmann::json& object, const char* key, const std::string& path) {
    Labels out;
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return out;
    if (!it->is_object()) bad_field(path + key, "must be an object of strings");
    for (const auto& item : it->items()) {
        if (!item.value().is_string()) bad_field(path + key + "." + item.key(), "must be a string");
        out.emplace(item.key(), item.value().get<std::string>());
    }
    return out;
}
inline Time time_field(const nlohmann::json& object, const char* key, const std::string& path) {
    const std::string text = text_field(object, key, path);
    try {
        return text.empty() ? zero_time : parse_time(text);
    } catch (const std::invalid_argument& e) {
        bad_field(path + key, e.what());
    }
}

}  // namespace detail

inline void from_json(const nlohmann::json& json, Notification& n) {
    using namespace detail;
    if (!json.is_object()) bad_field("body", "must be a JSON object");
    n.version = text_field(json, "version", "");
    n.status = text_field(json, "status", "");
    n.receiver = text_field(json, "receiver", "");
    n.group_key = text_field(json, "groupKey", "");
    n.external_url = text_field(json, "externalURL", "");
    n.group_labels = labels_field(json, "groupLabels", "");
    n.common_labels = labels_field(json, "commonLabels", "");
    n.common_annotations = labels_field(json, "commonAnnotations", "");
    const auto truncated = json.find("truncatedAlerts");
    if (truncated != json.end() && !truncated->is_null()) {
        if (!truncated->is_number_integer()) bad_field("truncatedAlerts", "must be an integer");
        n.truncated_alerts = truncated->get<int64_t>();
    }
    const auto alerts = json.find("alerts");
    if (alerts == json.end() || !alerts->is_array()) bad_field("alerts", "must be an array");
    n.alerts.clear();
    for (const auto& item : *alerts) {
        const std::string path = "alerts[" + std::to_string(n.alerts.size()) + "].";
        if (!item.is_object()) bad_field(path.substr(0, path.size() - 1), "must be an object");
        Alert a;
        a.status = text_field(item, "status", path);
        if (a.status.empty()) a.status = n.status.empty() ? "firing" : n.status;  // as the host
        a.labels = labels_field(item, "labels", path);
        a.annotations = labels_field(item, "annotations", path);
        a.starts_at = time_field(item, "startsAt", path);
        a.ends_at = time_field(item, "endsAt", path);
        a.generator_url = text_field(item, "generatorURL", path);
        a.fingerprint = text_field(item, "fingerprint", path);
        n.alerts.push_back(std::move(a));
    }
}

inline void to_json(nlohmann::json& json, const Alert& a) {
    json = {{"status", a.status},
            {"labels", a.labels},
            {"annotations", a.annotations},
            {"startsAt", format_time(a.starts_at)},
            {"endsAt", format_time(a.ends_at)},
            {"generatorURL", a.generator_url},
            {"fingerprint", a.fingerprint}};
}

// Alertmanager's field names, so that a notification built in a test reads like a real one.
inline void to_json(nlohmann::json& json, const Notification& n) {
    json = {{"version", n.version.empty() ? "4" : n.version},
            {"status", n.status},
            {"receiver", n.receiver},
            {"groupKey", n.group_key},
            {"truncatedAlerts", n.truncated_alerts},
            {"groupLabels", n.group_labels},
            {"commonLabels", n.common_labels},
            {"commonAnnotations", n.common_annotations},
            {"externalURL", n.external_url},
            {"alerts", n.alerts}};
}

// Reads the notification JSON the host delivers. Throws tg::Drop naming what does not read.
inline Notification parse_notification(std::string_view json_text) {
    const auto json = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (json.is_discarded()) throw Drop("notification: malformed JSON");
    return json.get<Notification>();
}
inline Notification parse_notification(const Delivery& delivery) {
    return parse_notification(delivery.notification_json);
}

}  // namespace tg
