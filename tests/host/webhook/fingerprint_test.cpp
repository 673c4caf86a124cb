#include "webhook/fingerprint.hpp"
#include "webhook/notification.hpp"

#include "test_support.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <catch2/catch.hpp>

using namespace tg::host;

TEST_CASE("the fingerprint equals Alertmanager's on every captured alert") {
    size_t checked = 0;
    for (const char* name :
         {"a_firing_single_alert_HighCPU_server01.json",
          "b_firing_group_3_alerts_HighCPU_server01-03.json",
          "b2_firing_new_group_3_alerts_HighMemory.json",
          "c_firing_group_4th_alert_joins_HighCPU_server01-04.json",
          "d_mixed_one_resolved_three_firing_HighCPU.json", "d2_all_resolved_HighCPU.json",
          "f_max_alerts_2_truncatedAlerts_3.json", "g_no_instance_label_Watchdog.json",
          "prom_e2e_vector1_AlwaysFiring.json", "prom_e2e_up_eq_0_TargetDown_firing.json"}) {
        auto body =
            Poco::JSON::Parser().parse(tg::test::fixture(name)).extract<Poco::JSON::Object::Ptr>();
        auto alerts = body->getArray("alerts");
        for (size_t i = 0; i < alerts->size(); ++i) {
            auto alert = alerts->getObject(i);
            std::map<std::string, std::string> labels;
            for (const auto& [k, v] : *alert->getObject("labels")) labels[k] = v.toString();
            INFO(name << " alert " << i);
            CHECK(alertmanager_fingerprint(labels) == alert->getValue<std::string>("fingerprint"));
            ++checked;
        }
    }
    CHECK(checked >= 20);
}

TEST_CASE("a missing fingerprint is computed, a given one is kept") {
    auto parsed = parse_notification(
        R"({"alerts":[{"labels":{"alertname":"HighCPU","instance":"server01","job":"node","severity":"critical"}},
                      {"labels":{"alertname":"x"},"fingerprint":"0123456789abcdef"}]})");
    auto alert = [&](size_t i) {
        return Poco::JSON::Parser()
            .parse(std::string(parsed.alert_json(i)))
            .extract<Poco::JSON::Object::Ptr>();
    };
    CHECK(alert(0)->getValue<std::string>("fingerprint") == "1a2bd5b0173813a0");
    CHECK(alert(1)->getValue<std::string>("fingerprint") == "0123456789abcdef");
}
