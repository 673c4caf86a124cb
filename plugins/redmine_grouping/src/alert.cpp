#include "alert.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <sstream>
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

std::string string_of(const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return {};
    return v.convert<std::string>();
}

}  // namespace

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

std::string labels_json(const std::map<std::string, std::string>& labels) {
    Poco::JSON::Object object;
    for (const auto& [name, value] : labels) object.set(name, value);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

std::map<std::string, std::string> labels_from_json(std::string_view json) {
    std::map<std::string, std::string> labels;
    try {
        auto parsed = Poco::JSON::Parser().parse(std::string(json));
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return {};
        for (const auto& [name, value] : *parsed.extract<Poco::JSON::Object::Ptr>())
            labels[name] = string_of(value);
    } catch (const Poco::Exception&) {
        return {};
    }
    return labels;
}

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
