// Issue 11, finding 5 ("markup from alerts reaches Redmine raw"), without Redmine: what the
// guard leaves of hostile annotations and labels. redmine_rendering_test.cpp renders the same
// through Redmine's own formatters.
#include "markup_guard.hpp"
#include "text.hpp"

#include <catch2/catch.hpp>

using namespace tg::redmine;
using Catch::Matchers::Contains;

namespace {
bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}
// `part` where no backslash (CommonMark's escape) comes before it.
bool unescaped(const std::string& text, const std::string& part) {
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        if (at == 0 || text[at - 1] != '\\') return true;
    return false;
}
}  // namespace

TEST_CASE(
    "markup from alerts reaches Redmine raw: macros, images, HTML, links and mentions are "
    "neutralised",
    "[text]") {
    // Macros and wiki links: the braces and brackets no longer touch.
    CHECK(guard_prose("{{include(Secret)}} {{collapse}}") ==
          "{&#8288;{include(Secret)}} {&#8288;{collapse}}");
    CHECK(guard_prose("[[Wiki page]]") == "[&#8288;[Wiki page]]");
    // Images: textile and CommonMark.
    CHECK(guard_prose("!https://tracker.example/p.png!") == "&#33;https://tracker.example/p.png!");
    CHECK(guard_prose("![x](https://tracker.example/p.png)") ==
          "&#33;[x](https://tracker.example/p.png)");
    // Raw HTML and autolinks of any scheme.
    CHECK(guard_prose("<img src=x onerror=alert(1)>") == "&#60;img src=x onerror=alert(1)>");
    CHECK(guard_prose("<!-- hidden -->") == "&#60;&#33;-- hidden -->");
    CHECK(guard_prose("<mailto:a@b.example>") == "&#60;mailto:a&#8288;&#64;b.example>");
    // Links that are not http(s); http(s) ones stay links.
    CHECK(guard_prose("[run](javascript:alert(1))") == "[run]&#40;javascript:alert(1))");
    CHECK(guard_prose("[wiki](/projects/x/wiki)") == "[wiki]&#40;/projects/x/wiki)");
    CHECK(guard_prose("[graph](https://grafana.example/d/1)") ==
          "[graph](https://grafana.example/d/1)");
    CHECK(guard_prose("\"run\":javascript:alert(1)") == "\"run\"&#58;javascript:alert(1)");
    CHECK(guard_prose("\"graph\":https://grafana.example/d/1") ==
          "\"graph\":https://grafana.example/d/1");
    CHECK(guard_prose("[ref]: file:///etc/passwd") == "&#91;ref]: file&#58;///etc/passwd");
    CHECK(guard_prose("see ftp://files.example/x") == "see ftp&#58;//files.example/x");
    CHECK(guard_prose("see https://runbook.example/x") == "see https://runbook.example/x");
    // Mentions notify the user: never an @ in the raw text.
    CHECK(guard_prose("@admin please look") == "&#8288;&#64;admin please look");
    CHECK_FALSE(has(guard_prose("cc @admin, ops@example.com"), "@"));
    // Character references would become those characters in CommonMark's output.
    CHECK(guard_prose("&#64;admin &commat;admin &#91;&#91;x]]") ==
          "&#38;#64;admin &#38;commat;admin &#38;#91;&#38;#91;x]]");
    // Prose stays as written (a reference reads as its character).
    CHECK(guard_prose("CPU > 95% on *web01* for 5m: `top`, **now**!") ==
          "CPU > 95% on *web01* for 5m: `top`, **now**!");
    CHECK(guard_prose("x != 1 && y < 2") == "x &#33;= 1 && y < 2");
    CHECK(guard_prose("ディスク使用率が高い") == "ディスク使用率が高い");
}

TEST_CASE("labels cannot mention, link or call a macro in any text formatting", "[text]") {
    for (TextFormat f : {TextFormat::textile, TextFormat::common_mark, TextFormat::neutral}) {
        TextBuilder t(f, "UTC");
        INFO(static_cast<int>(f));
        CHECK_FALSE(has(t.escape("@admin"), "@"));
        CHECK_FALSE(has(t.escape("a@b.example"), "@"));
        CHECK_FALSE(has(t.escape("{{collapse}}"), "{{"));
        CHECK_FALSE(has(t.escape("[[Wiki]]"), "[["));
        CHECK_FALSE(unescaped(t.escape("<b>x</b>"), "<"));
        CHECK_FALSE(unescaped(t.escape("!x.png!"), "!x"));
    }
    // CommonMark shows a backslash-escaped [ as [: a word joiner keeps [[ apart in its output.
    CHECK(TextBuilder(TextFormat::common_mark, "UTC").escape("[[x]]") == "\\[&#8288;\\[x\\]\\]");
}

TEST_CASE("only http(s) generatorURL and externalURL become links", "[text]") {
    Alert a;
    a.labels = {{"alertname", "X"}};
    a.generator_url = "javascript:alert(document.cookie)";
    for (TextFormat f : {TextFormat::textile, TextFormat::common_mark, TextFormat::neutral}) {
        TextBuilder t(f, "UTC");
        INFO(static_cast<int>(f));
        const std::string d = t.description(a, "file:///etc/passwd");
        CHECK_FALSE(has(d, "\":javascript"));
        CHECK_FALSE(has(d, "(javascript"));
        CHECK_FALSE(has(d, "](file"));
        CHECK_FALSE(has(d, "\":file"));
        CHECK(has(d, "javascript"));  // shown as text
        a.generator_url = "https://prometheus.example/graph?g0.expr=up%3D%3D0&g0.tab=1";
        CHECK(has(t.description(a, ""),
                  "https://prometheus.example/graph?g0.expr=up%3D%3D0&g0.tab=1"));
        a.generator_url = "javascript:alert(document.cookie)";
    }
}
