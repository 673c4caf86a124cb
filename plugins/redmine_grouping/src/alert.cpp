#include "alert.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <date/date.h>

#include <algorithm>
#include <stdexcept>

namespace tg::redmine {

std::string Alert::label(const std::string& name) const {
    auto it = labels.find(name);
    return it == labels.end() ? std::string() : it->second;
}

std::string Alert::annotation(const std::string& name) const {
    for (const auto& [k, v] : annotations)
        if (k == name) return v;
    return {};
}

std::string Alert::episode_start() const {
    return starts_at ? std::to_string(starts_at->time_since_epoch().count()) : std::string();
}

namespace {

int digits(std::string_view s, size_t& pos, size_t n) {
    if (pos + n > s.size()) throw std::invalid_argument("truncated time");
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') throw std::invalid_argument("bad digit in time");
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

void expect(std::string_view s, size_t& pos, char c) {
    if (pos >= s.size() || (s[pos] != c && !(c == 'T' && (s[pos] == 't' || s[pos] == ' '))))
        throw std::invalid_argument(std::string("expected '") + c + "' in time");
    ++pos;
}

std::string string_of(const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return {};
    return v.convert<std::string>();
}

}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
    try {
        size_t p = 0;
        const int year = digits(s, p, 4);
        expect(s, p, '-');
        const int month = digits(s, p, 2);
        expect(s, p, '-');
        const int day = digits(s, p, 2);
        expect(s, p, 'T');
        const int hour = digits(s, p, 2);
        expect(s, p, ':');
        const int minute = digits(s, p, 2);
        expect(s, p, ':');
        const int second = digits(s, p, 2);
        int64_t nanos = 0;
        if (p < s.size() && s[p] == '.') {
            ++p;
            int n = 0;
            while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
                if (n < 9) nanos = nanos * 10 + (s[p] - '0');
                ++n;
                ++p;
            }
            if (n == 0) throw std::invalid_argument("empty fraction");
            for (int i = std::min(n, 9); i < 9; ++i) nanos *= 10;
        }
        int offset_minutes = 0;
        if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
            ++p;
        } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
            const int sign = s[p] == '-' ? -1 : 1;
            ++p;
            const int oh = digits(s, p, 2);
            expect(s, p, ':');
            const int om = digits(s, p, 2);
            offset_minutes = sign * (oh * 60 + om);
        } else {
            throw std::invalid_argument("missing time zone offset");
        }
        if (p != s.size()) throw std::invalid_argument("trailing characters");
        if (year <= 1) return std::nullopt;  // Go's zero time
        // Outside this range nanoseconds since 1970 overflow 64 bits.
        if (year < 1678 || year > 2261) throw std::invalid_argument("year out of range");
        const date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                                       date::day(static_cast<unsigned>(day))};
        if (!ymd.ok() || hour > 23 || minute > 59 || second > 60)
            throw std::invalid_argument("no such date or time");
        using namespace std::chrono;
        const auto local = date::sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
        return TimePoint(duration_cast<nanoseconds>(local.time_since_epoch()) + nanoseconds(nanos) -
                         minutes(offset_minutes));
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("bad RFC 3339 time '" + std::string(s) + "': " + e.what());
    }
}

namespace {

Alert decode_alert(const Poco::JSON::Object::Ptr& obj) {
    if (!obj) throw std::invalid_argument("not an object");
    Alert a;
    a.firing = obj->optValue<std::string>("status", "firing") != "resolved";
    if (auto labels = obj->getObject("labels"))
        for (const auto& [k, v] : *labels) {
            std::string value = string_of(v);
            if (!value.empty()) a.labels[k] = value;  // as Alertmanager does: empty = absent
        }
    if (a.alertname().empty()) throw std::invalid_argument("no alertname label");
    if (auto ann = obj->getObject("annotations")) {
        std::map<std::string, std::string> rest;
        for (const auto& [k, v] : *ann) rest[k] = string_of(v);
        for (const char* first : {"description", "summary"}) {
            auto it = rest.find(first);
            if (it != rest.end()) {
                a.annotations.emplace_back(it->first, it->second);
                rest.erase(it);
            }
        }
        for (auto& kv : rest) a.annotations.emplace_back(kv.first, kv.second);
    }
    if (obj->has("startsAt")) a.starts_at = parse_rfc3339(string_of(obj->get("startsAt")));
    if (obj->has("endsAt")) a.ends_at = parse_rfc3339(string_of(obj->get("endsAt")));
    if (obj->has("generatorURL")) a.generator_url = string_of(obj->get("generatorURL"));
    if (obj->has("fingerprint")) a.fingerprint = string_of(obj->get("fingerprint"));
    return a;
}

}  // namespace

Notification decode_notification(std::string_view json) {
    Poco::JSON::Object::Ptr root;
    try {
        auto parsed = Poco::JSON::Parser().parse(std::string(json));
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
            throw std::invalid_argument("the notification is not a JSON object");
        root = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("the notification is not valid JSON: " + e.displayText());
    }
    Notification n;
    if (root->has("externalURL")) n.external_url = string_of(root->get("externalURL"));
    auto alerts = root->getArray("alerts");
    if (!alerts) throw std::invalid_argument("the notification has no 'alerts' array");
    for (size_t i = 0; i < alerts->size(); ++i) {
        try {
            n.alerts.push_back(decode_alert(alerts->getObject(static_cast<unsigned>(i))));
        } catch (const std::exception& e) {
            n.rejected.push_back("alert " + std::to_string(i) + ": " + e.what());
        }
    }
    return n;
}

}  // namespace tg::redmine
