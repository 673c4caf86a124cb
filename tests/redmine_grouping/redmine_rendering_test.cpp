// Issue 12's proof, and issue 11's finding 5 rendered: with nothing configured, every text the
// sink writes reads right in the formatting the local Redmine is switched to (common_mark, then
// textile), through Redmine's own formatter (Redmine::WikiFormatting.to_html), with the default
// texts in ja and en; markup from alerts acts on nothing; a screenshot of the issue page per
// formatting (logged in as admin) goes to the output directory. The global setting is switched
// for as short as the sink needs to write, and restored even when a check fails (CTest:
// RESOURCE_LOCK redmine_text_formatting, RUN_SERIAL).
#include "redmine_rendering.hpp"
#include "redmine_test_support.hpp"
#include "text.hpp"

#include <catch2/catch.hpp>

#include <iostream>
#include <regex>
#include <set>

using namespace rgtest;

namespace {

// What the texts of one language must show, word for word.
struct Language {
    std::string name;  // ja, en
    std::vector<std::string> words;
};
const Language kJa{"ja",
                   {"CPU使用率が高い", "ラベル", "値", "東京", "発生時刻", "再発", "解消",
                    "再発 (再オープン)", "持ち越し", "すべての子チケットが終了しました",
                    "アラート HighCPU が複数のホストで発生しています"}};
const Language kEn{"en",
                   {"CPU使用率が高い", "Label", "Value", "東京", "Started", "Recurred", "Resolved",
                    "Recurred (reopened)", "Carried over", "all subtasks are closed",
                    "Alert HighCPU is firing on more than one host"}};

TestAlert high_cpu(const std::string& host, const std::string& starts_at, bool firing = true) {
    TestAlert a{{{"alertname", "HighCPU"},
                 {"instance", host},
                 {"severity", "critical"},
                 {"datacenter", "東京"},
                 {"job", "node|exporter"}},
                {{"description", "CPU使用率が高い: " + host}, {"summary", "High CPU on " + host}},
                starts_at,
                firing};
    a.ends_at = "2026-11-27T10:00:00Z";
    a.generator_url = "http://prometheus.example.invalid/graph?g0.expr=cpu_usage+%3E+0.95&g0.tab=1";
    return a;
}

// Whoever can reach Alertmanager writes these: nothing of it may act beyond the text.
TestAlert injected() {
    TestAlert a{{{"alertname", "Injected"},
                 {"instance", "evil"},
                 {"owner", "@admin"},
                 {"team", "{{collapse}}"},
                 {"wiki", "[[Secret]]"}},
                {{"description",
                  "{{collapse}} {{include(Secret)}} !https://tracker.example.invalid/p.png! "
                  "![x](https://tracker.example.invalid/q.png) "
                  "<img src=\"https://tracker.example.invalid/r.png\"> "
                  "<a href=\"javascript:alert(1)\">html</a> [run](javascript:alert(2)) "
                  "\"run\":javascript:alert(3) [[Secret wiki]] @admin ops@example.invalid "
                  "ftp://files.example.invalid/x see https://runbook.example.invalid/x"}}};
    a.generator_url = "javascript:alert(4)";
    return a;
}

struct Written {
    std::map<std::string, std::string> texts;  // "<kind> #<issue>" → the text Redmine holds
    int64_t host_issue = 0, injected_issue = 0;
    std::string injected_page;  // the issue page as the admin sees it
};

// Every kind of text, by the sink with nothing configured but the project, the time zone and
// (for en) the language, plus close_on_resolve and reopen_window to reach every note.
void write_every_text(const Language& language, Written& out) {
    Admin admin;
    const std::string project = admin.create_project("render-" + language.name);
    TempDir dir;
    Host host;
    SinkHandle sink(
        host,
        sink_config(project, R"("close_on_resolve":true,"reopen_window":"72h")" +
                                 std::string(language.name == "en" ? R"(,"language":"en")" : "")),
        dir.path.string());
    const std::string t1 = "2026-11-27T07:51:27Z", t2 = "2026-11-27T08:30:00Z",
                      t3 = "2026-11-27T09:30:00Z";
    deliver_ok(sink, notification({high_cpu("server01", t1)}), "1");         // the ticket
    deliver_ok(sink, notification({high_cpu("server02", t1)}), "2");         // the Root
    deliver_ok(sink, notification({high_cpu("server01", t2)}), "3");         // 再発
    deliver_ok(sink, notification({high_cpu("server01", t2, false)}), "4");  // 解消, closed
    deliver_ok(sink, notification({high_cpu("server01", t3)}), "5");         // reopened
    deliver_ok(sink,
               notification({high_cpu("server01", t3, false), high_cpu("server02", t1, false)}),
               "6");  // 解消, and the Root closes
    deliver_ok(sink, notification({high_cpu("server03", t3), injected()}), "7");
    INFO(host.all_lines());
    REQUIRE(sink.run_hook("carry_over") == TG_OK);  // 持ち越し on server03 and Injected
    CHECK(host.logged("text_formatting: Redmine formats text as"));

    for (const auto& listed : admin.issues(project)) {
        const int64_t id = id_of(listed);
        auto issue = admin.issue(id);
        const std::string tag = language.name + " #" + std::to_string(id);
        out.texts["subject " + tag] = issue->getValue<std::string>("subject");
        out.texts["description " + tag] = issue->optValue<std::string>("description", "");
        int n = 0;
        for (const auto& note : admin.notes(id))
            out.texts["note " + std::to_string(++n) + " " + tag] = note;
        if (out.texts["subject " + tag] == "[Alert] HighCPU (server01)" && language.name == "ja")
            out.host_issue = id;  // the screenshot: Japanese is normal input
        if (out.texts["subject " + tag] == "[Alert] Injected (evil)") {
            out.injected_issue = id;
            out.injected_page = admin.client().get_page("/issues/" + std::to_string(id));
        }
    }
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// What every rendered text must be: links to http(s) only, no markup left showing.
void check_text(const std::string& name, const std::string& html) {
    INFO(name << "\n" << html);
    for (const auto& href : hrefs(html)) {
        INFO(href);
        CHECK((href.rfind("http://", 0) == 0 || href.rfind("https://", 0) == 0));
    }
    const std::string text = visible_text(html);
    INFO(text);
    CHECK_FALSE(contains(text, "*"));
    CHECK_FALSE(contains(text, "|_."));
    CHECK_FALSE(contains(text, "\":"));
    CHECK_FALSE(contains(text, "]("));
    CHECK_FALSE(contains(html, "<img"));
}

// The texts of the table cells, as a person reads them.
std::set<std::string> cells(const std::string& html) {
    std::set<std::string> out;
    const std::regex cell(R"re(<t[dh][^>]*>([^<]*)</t[dh]>)re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), cell);
         it != std::sregex_iterator(); ++it) {
        std::string text = visible_text((*it)[1].str());
        text.erase(0, text.find_first_not_of(" \n"));
        text.erase(text.find_last_not_of(" \n") + 1);
        out.insert(text);
    }
    return out;
}

// A description of a host ticket: the labels as a real table, the links as links.
void check_description(const std::string& name, const std::string& html) {
    INFO(name << "\n" << html);
    CHECK(contains(html, "<table"));
    const auto in_cells = cells(html);
    for (const char* cell : {"alertname", "HighCPU", "datacenter", "東京", "node|exporter"}) {
        INFO(cell);
        CHECK(in_cells.count(cell) == 1);
    }
    CHECK(std::regex_search(
        html,
        std::regex(
            R"re(<a [^>]*href="http://prometheus\.example\.invalid/graph\?g0\.expr=cpu_usage\+%3E\+0\.95&(amp;|#38;)g0\.tab=1")re")));
    CHECK(std::regex_search(html,
                            std::regex(R"re(<a [^>]*href="http://am\.example\.invalid:9093")re")));
    CHECK_FALSE(std::regex_search(visible_text(html), std::regex(R"((^|\n)\s*\|)")));  // no row
}

void check_injected(const std::string& html) {
    INFO(html);
    CHECK(std::regex_search(
        html, std::regex(R"re(<a [^>]*href="https://runbook\.example\.invalid/x")re")));
    for (const auto& href : hrefs(html)) {
        INFO(href);
        CHECK((href.rfind("http://", 0) == 0 || href.rfind("https://", 0) == 0));
    }
    CHECK_FALSE(contains(html, "<img"));
    CHECK_FALSE(contains(html, "<a href=\"javascript"));
    const std::string text = visible_text(html);
    CHECK(contains(text, "javascript:alert(4)"));  // the generatorURL, shown as text
    CHECK(contains(text, "include(Secret)"));      // shown, not run
    CHECK(contains(text, "Secret wiki"));
}

// The page Redmine shows: macros ran on nothing, no wiki or user link came of the alert.
void check_injected_page(const std::string& page) {
    const size_t start =
        page.find("<div class=\"wiki\">", page.find("<div class=\"description\">"));
    REQUIRE(start != std::string::npos);
    const std::string description = page.substr(start, page.find("</div>", start) - start);
    INFO(description);
    CHECK_FALSE(contains(description, "collapsed-text"));  // {{collapse}} did not run
    CHECK_FALSE(contains(description, "wiki-page"));       // [[...]] is no wiki link
    CHECK_FALSE(contains(description, "class=\"user"));    // @admin is no user link
    CHECK_FALSE(contains(description, "mailto:"));
    CHECK_FALSE(contains(description, "<img"));
    CHECK(contains(visible_text(description), "admin"));
}

void proof_for(const std::string& format) {
    Written written;
    std::filesystem::path png = output_dir() / ("issue-" + format + ".png");
    {
        TextFormattingSwitch switched(format);
        write_every_text(kJa, written);
        write_every_text(kEn, written);
        REQUIRE(written.host_issue);
        screenshot_issue(written.host_issue, png);
    }  // restored here, before the slow part
    std::cout << "screenshot of the " << format << " issue page: " << png.string() << std::endl;
    REQUIRE(written.injected_issue);
    check_injected_page(written.injected_page);

    const Rendered rendered = render(written.texts, {format});
    std::map<std::string, int> kinds;
    for (const auto& [name, per_format] : rendered) {
        const std::string& html = per_format.at(format);
        const std::string& raw = written.texts.at(name);
        INFO(name << "\n" << raw);
        CHECK_FALSE(contains(raw, "@"));  // Redmine's mentions read the raw text
        if (contains(raw, "Injected")) {
            if (name.rfind("description", 0) == 0) check_injected(html);
            continue;
        }
        check_text(name, html);
        if (name.rfind("description", 0) == 0 && contains(raw, "[Root]") == false &&
            contains(raw, "CPU使用率"))
            check_description(name, html), ++kinds["host description"];
        for (const auto* l : {&kJa, &kEn})
            if (contains(name, " " + l->name + " #"))
                for (const auto& word : l->words)
                    if (contains(visible_text(html), word)) ++kinds[l->name + ": " + word];
    }
    // Every kind of text was written and read right, in both languages.
    CHECK(kinds["host description"] >= 6);
    for (const auto* l : {&kJa, &kEn})
        for (const auto& word : l->words) {
            INFO(l->name << ": " << word);
            CHECK(kinds[l->name + ": " + word] >= 1);
        }
}

}  // namespace

TEST_CASE("common_mark: with nothing configured every text reads right through Redmine's formatter",
          "[rendering]") {
    proof_for("common_mark");
}

TEST_CASE("textile: with nothing configured every text reads right through Redmine's formatter",
          "[rendering]") {
    proof_for("textile");
}

TEST_CASE("format-neutral texts read right in textile and in common_mark alike", "[rendering]") {
    std::map<std::string, std::string> texts;
    for (auto language : {tg::redmine::Language::ja, tg::redmine::Language::en}) {
        tg::redmine::TextBuilder t(tg::redmine::TextFormat::neutral, "Asia/Tokyo", language);
        tg::redmine::Alert a;
        a.labels = {{"alertname", "HighCPU"},
                    {"instance", "server01"},
                    {"datacenter", "東京"},
                    {"job", "node|exporter"},
                    {"owner", "@admin"}};
        a.annotations = {{"description", "CPU使用率が高い"}, {"summary", "High *CPU*"}};
        a.starts_at = tg::redmine::parse_rfc3339("2026-11-27T07:51:27Z");
        a.ends_at = tg::redmine::parse_rfc3339("2026-11-27T08:51:27Z");
        a.generator_url = "http://prometheus.example.invalid/graph?g0.expr=up&g0.tab=1";
        const std::string l = language == tg::redmine::Language::ja ? "ja" : "en";
        const auto now = *a.ends_at;
        texts["description " + l] = t.description(a, "http://am.example.invalid:9093");
        texts["root " + l] = t.root_description("HighCPU");
        texts["recurrence " + l] = t.recurrence_note(a, "http://am.example.invalid:9093");
        texts["reopen " + l] = t.reopen_note(a, "");
        texts["resolved " + l] = t.resolved_note(a, now);
        texts["root closed " + l] = t.root_closed_note(now);
        texts["carry over " + l] = t.carry_over_note(now);
    }
    const Rendered rendered = render(texts, {"textile", "common_mark"});
    for (const auto& [name, per_format] : rendered)
        for (const auto& [format, html] : per_format) {
            INFO(format << " " << name << "\n" << texts.at(name) << "\n" << html);
            check_text(format + " " + name, html);  // the author's *CPU* is emphasis in both
            CHECK_FALSE(contains(texts.at(name), "@"));
            if (name.rfind("root ", 0) != 0)
                CHECK((contains(html, "<strong>") || contains(html, "<b>")));
            if (name.rfind("description", 0) == 0) {
                CHECK(contains(html, "<li>"));
                const std::string text = visible_text(html);
                CHECK(contains(text, "alertname: HighCPU"));
                CHECK(contains(text, "datacenter: 東京"));
                CHECK(contains(text, "job: node|exporter"));
                CHECK(contains(text, "CPU使用率が高い"));
                CHECK(std::regex_search(
                    html,
                    std::regex(
                        R"re(<a [^>]*href="http://prometheus\.example\.invalid/graph\?g0\.expr=up&(amp;|#38;)g0\.tab=1")re")));
                CHECK_FALSE(contains(visible_text(html), "|_."));
                CHECK_FALSE(contains(visible_text(html), "**"));
            }
        }
}
