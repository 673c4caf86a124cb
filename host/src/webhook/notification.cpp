#include "webhook/notification.hpp"

#include "text/utf8.hpp"
#include "time/rfc3339.hpp"
#include "webhook/fingerprint.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace tg::host {
namespace {

constexpr size_t max_json_depth = 32;  // the webhook is 4 levels deep; deeper is an attack

[[noreturn]] void refuse(const std::string& message) { throw WebhookError(422, message); }

std::string alert_path(size_t index, const std::string& field) {
    return "alerts[" + std::to_string(index) + "]." + field;
}

// A map of string to string (labels, annotations); absent is allowed where `required` is false.
Labels string_map(const Poco::JSON::Object& parent, const std::string& key, const std::string& path,
                  bool required) {
    Labels result;
    if (!parent.has(key) || parent.isNull(key)) {
        if (required) refuse(path + " is required (an object of strings)");
        return result;
    }
    if (!parent.isObject(key)) refuse(path + " must be an object of strings");
    for (const auto& [name, value] : *parent.getObject(key)) {
        if (!value.isString()) refuse(path + "." + name + " must be a string");
        // \u escapes can still make invalid UTF-8 (a lone surrogate such as \ud800).
        if (common::invalid_utf8_at(name) != std::string_view::npos ||
            common::invalid_utf8_at(value.extract<std::string>()) != std::string_view::npos)
            throw WebhookError(400, path + " holds a string that is not valid UTF-8");
        result[name] = value.extract<std::string>();
    }
    return result;
}

std::string optional_string(const Poco::JSON::Object& object, const std::string& key,
                            const std::string& path) {
    if (!object.has(key) || object.isNull(key)) return "";
    const auto value = object.get(key);
    if (!value.isString()) refuse(path + " must be a string");
    return value.extract<std::string>();
}

void check_time(const Poco::JSON::Object& alert, const std::string& key, const std::string& path) {
    // RFC 3339 with any offset, as Alertmanager sends, read as the sinks read it: a time taken
    // here is one they can parse.
    const std::string text = optional_string(alert, key, path);
    if (text.empty()) return;
    try {
        common::parse_rfc3339(text);
    } catch (const std::invalid_argument& e) {
        refuse(path + " must be an RFC 3339 time: " + e.what());
    }
}

std::string checked_status(const std::string& status, const std::string& path) {
    if (status != "firing" && status != "resolved")
        refuse(path + " must be \"firing\" or \"resolved\"");
    return status;
}

}  // namespace

Notification parse_notification(std::string_view json_text) {
    if (const size_t at = common::invalid_utf8_at(json_text); at != std::string_view::npos)
        throw WebhookError(400, "the body is not valid UTF-8 (byte " + std::to_string(at) + ")");
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(max_json_depth);
        parsed = parser.parse(std::string(json_text));
    } catch (const Poco::Exception& e) {
        throw WebhookError(400, "malformed JSON: " + e.displayText());
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
        throw WebhookError(400, "the body must be a JSON object");
    Notification result;
    result.body = parsed.extract<Poco::JSON::Object::Ptr>();
    auto& body = *result.body;

    if (body.has("version") && !body.isNull("version")) {
        const auto version = body.get("version");
        if (!version.isString() || version.extract<std::string>() != "4")
            refuse("version must be \"4\" (Alertmanager webhook version 4)");
    }
    std::string default_status = "firing";
    if (body.has("status") && !body.isNull("status"))
        default_status = checked_status(optional_string(body, "status", "status"), "status");
    for (const char* key : {"receiver", "externalURL", "groupKey"}) optional_string(body, key, key);
    for (const char* key : {"groupLabels", "commonLabels", "commonAnnotations"})
        string_map(body, key, key, false);
    if (body.has("truncatedAlerts") && !body.isNull("truncatedAlerts") &&
        !body.get("truncatedAlerts").isInteger())
        refuse("truncatedAlerts must be an integer");

    if (!body.has("alerts") || body.isNull("alerts")) refuse("alerts is required (an array)");
    if (!body.isArray("alerts")) refuse("alerts must be an array");
    auto alerts = body.getArray("alerts");
    if (alerts->size() == 0) refuse("alerts is empty: nothing to route");

    for (size_t i = 0; i < alerts->size(); ++i) {
        if (!alerts->isObject(i)) refuse(alert_path(i, "") + " must be an object");
        auto alert = alerts->getObject(i);
        Labels labels = string_map(*alert, "labels", alert_path(i, "labels"), true);
        if (labels.empty()) refuse(alert_path(i, "labels") + " must not be empty");
        string_map(*alert, "annotations", alert_path(i, "annotations"), false);
        check_time(*alert, "startsAt", alert_path(i, "startsAt"));
        check_time(*alert, "endsAt", alert_path(i, "endsAt"));
        optional_string(*alert, "generatorURL", alert_path(i, "generatorURL"));

        const std::string status = optional_string(*alert, "status", alert_path(i, "status"));
        alert->set("status", status.empty() ? default_status
                                            : checked_status(status, alert_path(i, "status")));
        if (optional_string(*alert, "fingerprint", alert_path(i, "fingerprint")).empty())
            alert->set("fingerprint", alertmanager_fingerprint(labels));
        result.alert_labels.push_back(std::move(labels));
    }
    return result;
}

std::string serialize_subset(const Notification& notification, const std::vector<size_t>& indexes) {
    const auto& body = *notification.body;
    const auto alerts = body.getArray("alerts");
    std::ostringstream out;
    if (indexes.size() == alerts->size()) {
        body.stringify(out);
        return out.str();
    }
    Poco::JSON::Object subset(body);  // shallow: shares the alert objects, replaces the array
    Poco::JSON::Array::Ptr chosen = new Poco::JSON::Array;
    for (size_t index : indexes) chosen->add(alerts->get(index));
    subset.set("alerts", chosen);
    subset.stringify(out);
    return out.str();
}

}  // namespace tg::host
