#include "text.hpp"

#include <catch2/catch.hpp>

using namespace tg::redmine;

namespace {
std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}
Alert sample() {
    Alert a;
    a.labels = {{"alertname", "HighCPU"}, {"instance", "server01"}, {"job", "node|x"}};
    a.annotations = {
        {"description", "CPU使用率が高い"}, {"summary", "High CPU"}, {"runbook", "see *wiki*"}};
    a.starts_at = parse_rfc3339("2026-11-27T07:51:27.70064839Z");
    a.generator_url = "http://prometheus.example.invalid/graph?g0.expr=cpu_usage+%3E+0.95";
    return a;
}
}  // namespace

TEST_CASE("subjects", "[text]") {
    CHECK(alert_subject("HighCPU", "server01") == "[Alert] HighCPU (server01)");
    CHECK(alert_subject("Watchdog", "") == "[Alert] Watchdog");
    CHECK(root_subject("HighCPU") == "[Root] [Alert] HighCPU");
    CHECK(is_alert_subject("[Alert] x"));
    CHECK_FALSE(is_alert_subject("[Root] [Alert] x"));
    CHECK(is_root_subject("[Root] [Alert] x"));
    CHECK(alertname_of_subject("[Alert] HighCPU (server01)") == "HighCPU");
    CHECK(alertname_of_subject("[Alert] HighCPU (a (b))") == "HighCPU");
    CHECK(alertname_of_subject("[Alert] Watchdog") == "Watchdog");
    CHECK(alertname_of_subject("[Root] [Alert] HighCPU") == "HighCPU");
    CHECK(alertname_of_subject("something else").empty());
}

TEST_CASE("long subjects are cut on character boundaries and stay distinct", "[text]") {
    const std::string name = repeat("あ", 300);
    const std::string s1 = alert_subject(name, "server01");
    const std::string s2 = alert_subject(name, "server02");
    CHECK(utf8_length(s1) == kMaxSubjectChars);
    CHECK(s1 != s2);
    CHECK(s1.find("(server01)") != std::string::npos);  // the instance survives the cut
    CHECK(s1.substr(0, 8) == "[Alert] ");
    CHECK(alertname_of_subject(s1) == alertname_of_subject(s2));  // grouping survives the cut
    CHECK(alert_subject(name, "server01") == s1);                 // stable

    const std::string long_instance = alert_subject("HighCPU", repeat("é", 400));
    CHECK(utf8_length(long_instance) <= kMaxSubjectChars);
    CHECK(alertname_of_subject(long_instance) == "HighCPU");

    const std::string root = root_subject(repeat("x", 400));
    CHECK(utf8_length(root) == kMaxSubjectChars);
    CHECK(is_root_subject(root));

    // Exactly 255 characters is not cut.
    const std::string exact = alert_subject(repeat("あ", 255 - 8), "");
    CHECK(utf8_length(exact) == 255);
    CHECK(exact == "[Alert] " + repeat("あ", 247));
}

TEST_CASE("UTF-8 helpers", "[text]") {
    CHECK(utf8_length("aあé😀") == 4);
    CHECK(cut_utf8("aあé😀", 2) == "aあ");
    CHECK(cut_utf8("😀😀", 1) == "😀");
    CHECK(cut_utf8("abc", 10) == "abc");
    CHECK(short_hash("x") == short_hash("x"));
    CHECK(short_hash("x") != short_hash("y"));
    CHECK(short_hash("x").size() == 8);
}

TEST_CASE("times are shown in the configured zone", "[text]") {
    TextBuilder tokyo(TextFormat::textile, "Asia/Tokyo");
    CHECK(tokyo.time(*parse_rfc3339("2026-11-27T07:51:27.70064839Z")) == "2026-11-27 16:51:27 JST");
    TextBuilder utc(TextFormat::textile, "UTC");
    CHECK(utc.time(*parse_rfc3339("2026-11-27T16:51:27+09:00")) == "2026-11-27 07:51:27 UTC");
}

TEST_CASE("textile description: annotations, label table, time, links, escaped values", "[text]") {
    TextBuilder t(TextFormat::textile, "Asia/Tokyo");
    const std::string d = t.description(sample(), "http://vm:19093");
    INFO(d);
    CHECK(d.rfind("CPU使用率が高い", 0) == 0);
    CHECK(d.find("*summary:* High CPU") != std::string::npos);
    CHECK(d.find("*summary:*") < d.find("*runbook:*"));
    CHECK(d.find("*runbook:* see *wiki*") != std::string::npos);  // prose kept as written
    CHECK(d.find("|_. ラベル |_. 値 |") != std::string::npos);
    CHECK(d.find("| alertname | HighCPU |") != std::string::npos);
    CHECK(d.find("| job | node&#124;x |") != std::string::npos);  // a pipe cannot open a cell
    CHECK(d.find("2026-11-27 16:51:27 JST") != std::string::npos);
    CHECK(d.find("\"グラフ\":http://prometheus.example.invalid/graph?g0.expr=cpu_usage+%3E+0.95") !=
          std::string::npos);
    CHECK(d.find("\"Alertmanager\":http://vm:19093") != std::string::npos);
}

TEST_CASE("markdown description and missing optional fields", "[text]") {
    TextBuilder t(TextFormat::common_mark, "UTC");
    Alert a;
    a.labels = {{"alertname", "test"}, {"instance", "server01"}};
    a.annotations = {{"description", "test: server01"}};
    const std::string d = t.description(a, "");
    INFO(d);
    CHECK(d.find("| ラベル | 値 |\n|---|---|") != std::string::npos);
    CHECK(d.find("test: server01") != std::string::npos);
    CHECK(d.find("発生時刻") == std::string::npos);
    CHECK(d.find("Alertmanager") == std::string::npos);
    CHECK(t.escape("a|b*c_d") == "a\\|b\\*c_d");
    CHECK(t.escape("_x_ [y](z)") == "\\_x\\_ \\[y\\](z)");
}

TEST_CASE("notes", "[text]") {
    TextBuilder t(TextFormat::textile, "Asia/Tokyo");
    Alert a = sample();
    CHECK(t.recurrence_note(a, "").find("*再発:* 2026-11-27 16:51:27 JST") == 0);
    CHECK(t.recurrence_note(a, "").find("CPU使用率が高い") != std::string::npos);
    a.ends_at = parse_rfc3339("2026-11-27T07:52:42.846Z");
    CHECK(t.resolved_note(a, {}) == "*解消:* 2026-11-27 16:52:42 JST");
    CHECK(t.carry_over_note(*parse_rfc3339("2026-11-28T00:00:00Z"))
              .find("*持ち越し:* 2026-11-28 09:00:00 JST") == 0);
}

TEST_CASE("textile escaping keeps URLs and ordinary words intact", "[text]") {
    TextBuilder t(TextFormat::textile, "UTC");
    CHECK(t.escape("node|x") == "node&#124;x");
    CHECK(t.escape("*b* and _i_") == "&#42;b&#42; and &#95;i&#95;");
    CHECK(t.escape("http://a/b?c=1+2") == "http://a/b?c=1+2");
    CHECK(t.escape("node-exporter_v2") == "node-exporter_v2");
    CHECK(t.escape("127.0.0.1:19097") == "127.0.0.1:19097");
    CHECK(t.escape("#5") == "&#35;5");
    CHECK(t.escape("{{macro}}") == "&#123;&#123;macro&#125;&#125;");
    CHECK(t.escape("行1\n行2") == "行1 行2");
}

TEST_CASE("format-neutral description: bold, a label list and bare links", "[text]") {
    TextBuilder t(TextFormat::automatic, "Asia/Tokyo");  // automatic starts format-neutral
    CHECK(t.format() == TextFormat::neutral);
    const std::string d = t.description(sample(), "http://vm:19093");
    INFO(d);
    CHECK(d.rfind("CPU使用率が高い", 0) == 0);
    CHECK(d.find("**summary:** High CPU") != std::string::npos);
    CHECK(d.find("**ラベル:**\n\n* alertname: HighCPU\n") != std::string::npos);
    CHECK(d.find("* job: node&#124;x\n") != std::string::npos);
    CHECK(d.find("**発生時刻:** 2026-11-27 16:51:27 JST") != std::string::npos);
    CHECK(
        d.find(
            "**Prometheus:** http://prometheus.example.invalid/graph?g0.expr=cpu_usage+%3E+0.95") !=
        std::string::npos);
    CHECK(d.find("**Alertmanager:** http://vm:19093") != std::string::npos);
    CHECK(d.find("\":") == std::string::npos);
    CHECK(d.find("](") == std::string::npos);
    CHECK(t.resolved_note(sample(), *parse_rfc3339("2026-11-27T07:52:42Z")) ==
          "**解消:** 2026-11-27 16:52:42 JST");
    t.set_format(TextFormat::textile);
    CHECK(t.description(sample(), "").find("|_. ラベル |_. 値 |") != std::string::npos);
}

TEST_CASE("the flap summary in the time zone and the language", "[text]") {
    const auto at = [](const char* t) { return *parse_rfc3339(t); };
    TextBuilder ja(TextFormat::textile, "Asia/Tokyo");
    CHECK(
        ja.flap_summary_note(7, 7, at("2026-11-27T00:02:10Z"), at("2026-11-27T00:48:59Z"), true) ==
        "この期間に 7 回再発・7 回解消 (09:02〜09:48), 現在: 発生中");
    CHECK(
        ja.flap_summary_note(1, 2, at("2026-11-27T14:50:00Z"), at("2026-11-27T15:10:00Z"), false) ==
        "この期間に 1 回再発・2 回解消 (2026-11-27 23:50〜2026-11-28 00:10), 現在: 解消");
    TextBuilder en(TextFormat::common_mark, "UTC", Language::en);
    CHECK(
        en.flap_summary_note(8, 7, at("2026-11-27T00:02:10Z"), at("2026-11-27T00:48:59Z"), true) ==
        "In this period: recurred 8 times, resolved 7 times (00:02 to 00:48), now: firing");
}
