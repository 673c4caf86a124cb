// The webhook parser without a tree (notification_reader, canonical_json): the same bytes as
// Poco's tree stringified, control characters refused naming the field, the alert cap, the
// memory budget, and memory a small multiple of the body.
#include "webhook/fingerprint.hpp"
#include "webhook/notification.hpp"

#include "test_support.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

using namespace tg::host;

namespace {

// What the host wrote before, with Poco's tree: the reference for the same bytes (and so the same
// idempotency keys across an upgrade, or between replicas of two versions).
std::string poco_tree_form(const std::string& body) {
    auto object = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    std::string status = "firing";
    if (object->has("status") && !object->isNull("status"))
        status = object->getValue<std::string>("status");
    auto alerts = object->getArray("alerts");
    for (size_t i = 0; i < alerts->size(); ++i) {
        auto alert = alerts->getObject(i);
        Labels labels;
        for (const auto& [k, v] : *alert->getObject("labels")) labels[k] = v.toString();
        const bool own = alert->has("status") && !alert->isNull("status") &&
                         !alert->getValue<std::string>("status").empty();
        if (!own) alert->set("status", status);
        if (!alert->has("fingerprint") || alert->isNull("fingerprint") ||
            alert->getValue<std::string>("fingerprint").empty())
            alert->set("fingerprint", alertmanager_fingerprint(labels));
    }
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

std::string ours(const std::string& body) {
    const auto parsed = parse_notification(body);
    std::vector<size_t> all(parsed.alert_count());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return serialize_subset(parsed, all);
}

std::string refusal(const std::string& body, int& status, const ParseLimits& limits = {}) {
    try {
        parse_notification(body, limits);
    } catch (const WebhookError& e) {
        status = e.http_status;
        return e.what();
    }
    status = 200;
    return "";
}

}  // namespace

TEST_CASE("memory amplification at intake: the parsed form has the bytes Poco's tree gave") {
    std::vector<std::string> bodies;
    for (const char* name :
         {"a_firing_single_alert_HighCPU_server01.json",
          "b_firing_group_3_alerts_HighCPU_server01-03.json",
          "d_mixed_one_resolved_three_firing_HighCPU.json", "f_max_alerts_2_truncatedAlerts_3.json",
          "g_no_instance_label_Watchdog.json", "prom_e2e_up_eq_0_TargetDown_resolved.json"})
        bodies.push_back(tg::test::fixture(name));
    bodies.insert(
        bodies.end(),
        {
            R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"},"annotations":{"description":"test: server01"}}]})",
            // Escapes, Unicode, '/' and characters Poco writes as they are.
            R"({"alerts":[{"labels":{"a\"b":"c\\d","path":"/x\/y","jp":"\u65e5\u672c語","e":"😀\ud83d\ude00"},"annotations":{"d":"line\nnext\ttab"}}]})",
            // Duplicate keys: the last one counts, as in Poco's Object.
            R"({"alerts":[{"labels":{"a":"1","a":"2"},"status":"resolved","status":"firing"}],"receiver":"x","receiver":"y"})",
            // Numbers, booleans and nulls in fields the host does not know.
            R"({"alerts":[{"labels":{"a":"b"},"extra":[1,-2,3.5,1e5,12345678901234567890,1.0,0.1,true,false,null,{}, []]}],"truncatedAlerts":0,"x":{"z":1,"y":{"b":[{"d":1,"c":2}]}}})",
            // The top-level status after the alerts, an empty alert status, a given fingerprint.
            R"({"alerts":[{"labels":{"a":"b"},"status":""},{"labels":{"a":"c"},"fingerprint":"0123456789abcdef"}],"status":"resolved"})",
            R"({"Z":1,"alerts":[{"labels":{"a":"b"}}],"a":2,"alertz":3,"B":{"k":null}})",
            R"({"alerts":[{"labels":{"a":"b"}}],"alerts":[{"labels":{"a":"second"}}]})",
        });
    for (const auto& body : bodies) {
        INFO(body.substr(0, 300));
        CHECK(ours(body) == poco_tree_form(body));
    }
}

TEST_CASE(
    "one poison notification: C0 control characters other than tab and newline are refused, "
    "naming the field") {
    int status = 0;
    const auto instance = refusal(
        R"({"alerts":[{"labels":{"a":"1"}},{"labels":{"a":"2"}},{"labels":{"a":"3"}},{"labels":{"alertname":"x","instance":"web\u0000"}}]})",
        status);
    CHECK(status == 422);
    CHECK(instance == "alerts[3].labels.instance: control character U+0000");
    CHECK(refusal(R"({"alerts":[{"labels":{"a":"b"},"annotations":{"d":"x\ry"}}]})", status) ==
          "alerts[0].annotations.d: control character U+000D");
    CHECK(refusal(R"({"alerts":[{"labels":{"in\u001bst":"b"}}]})", status) ==
          "alerts[0].labels: control character U+001B in a name");
    CHECK(refusal(R"({"receiver":"r\u0007","alerts":[{"labels":{"a":"b"}}]})", status) ==
          "receiver: control character U+0007");
    CHECK(refusal(R"({"alerts":[{"labels":{"a":"b"},"generatorURL":"http://x/\b"}]})", status) ==
          "alerts[0].generatorURL: control character U+0008");
    CHECK(refusal(R"({"alerts":[{"labels":{"a":"b"},"x":{"y":["\f"]}}]})", status) ==
          "alerts[0].x.y[0]: control character U+000C");
    CHECK(refusal(R"({"x\u0001":1,"alerts":[{"labels":{"a":"b"}}]})", status) ==
          "the body: control character U+0001 in a name");
    CHECK(status == 422);
    // Tab and newline are text; DEL and C1 harm no store and no Redmine format.
    CHECK(refusal(R"({"alerts":[{"labels":{"a":"b\tc"},"annotations":{"d":"x\ny\u007f\u0085"}}]})",
                  status)
              .empty());
    CHECK(status == 200);
}

TEST_CASE("memory amplification at intake: more alerts than max_alerts are refused with 413") {
    std::string body = R"({"alerts":[)";
    for (int i = 0; i < 11; ++i) body += (i ? "," : "") + std::string(R"({"labels":{"a":"b"}})");
    body += "]}";
    int status = 0;
    ParseLimits limits;
    limits.max_alerts = 10;
    const auto message = refusal(body, status, limits);
    CHECK(status == 413);
    CHECK(message.find("more than 10 alerts in one notification") != std::string::npos);
    CHECK(message.find("max_alerts") != std::string::npos);
    limits.max_alerts = 11;
    CHECK(refusal(body, status, limits).empty());
}

TEST_CASE(
    "memory amplification at intake: the parsed form of tiny alerts stays a small multiple of "
    "the body, and a budget can stop it") {
    std::string body = R"({"alerts":[)";
    for (int i = 0; body.size() < (1u << 20); ++i)
        body += (i ? "," : "") + std::string(R"({"labels":{"a":")") + std::to_string(i) + "\"}}";
    body += "]}";
    ParseLimits limits;
    limits.max_alerts = 1000000;
    size_t largest = 0;
    limits.reserve = [&](size_t bytes) {
        largest = std::max(largest, bytes);
        return true;
    };
    const auto parsed = parse_notification(body, limits);
    INFO("body " << body.size() << " bytes, parsed " << parsed.bytes() << " bytes, "
                 << parsed.alert_count() << " alerts");
    // Each 20-byte alert gains "status" and "fingerprint" (~50 bytes): the form sinks receive.
    CHECK(parsed.bytes() < 8 * body.size());
    CHECK(largest >= parsed.bytes() / 2);  // the budget was told as it grew
    int status = 0;
    limits.reserve = [](size_t bytes) { return bytes < 1000000; };
    CHECK(refusal(body, status, limits).find("retry later") != std::string::npos);
    CHECK(status == 503);
}
