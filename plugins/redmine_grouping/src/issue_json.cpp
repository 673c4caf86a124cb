#include "issue_json.hpp"

#include <ctime>

#include <Poco/JSON/Array.h>

namespace tg::redmine {

int64_t unix_seconds(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t id_in(const Poco::JSON::Object::Ptr& issue, const char* field) {
    auto object = issue ? issue->getObject(field) : nullptr;
    return object && object->has("id") ? object->getValue<Poco::Int64>("id") : 0;
}

int64_t time_of(const Poco::JSON::Object::Ptr& issue, const char* field) {
    if (!issue->has(field) || issue->get(field).isEmpty()) return 0;
    try {
        auto t = parse_rfc3339(issue->getValue<std::string>(field));
        return t ? unix_seconds(*t) : 0;
    } catch (const std::exception&) {
        return 0;
    }
}

std::string redmine_time(int64_t unix) {
    const std::time_t t = static_cast<std::time_t>(unix);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string custom_value(const Poco::JSON::Object::Ptr& issue, int64_t field) {
    auto list = issue->getArray("custom_fields");
    for (size_t i = 0; list && i < list->size(); ++i) {
        auto f = list->getObject(static_cast<unsigned>(i));
        if (f->getValue<Poco::Int64>("id") != field) continue;
        auto v = f->get("value");
        return v.isString() ? v.convert<std::string>() : std::string();
    }
    return {};
}

}  // namespace tg::redmine
