// The status page rendered from a snapshot: every outside text escaped (alert labels, sink and
// Redmine errors are untrusted; Japanese passes as it is), the words of each language, the links
// to the tickets, and nothing loaded from elsewhere.
#include "http/status_page.hpp"
#include "http/html_escape.hpp"

#include <catch2/catch.hpp>

using namespace tg::host;

namespace {

constexpr int64_t now = 1700000000000;  // 2023-11-14 22:13:20 UTC

StatusSnapshot snapshot() {
    StatusSnapshot s;
    s.version = "1.2.3";
    s.now_ms = now;
    s.auth = "bearer";
    SinkStatus sink;
    sink.name = "redmine";
    sink.plugin = "redmine_grouping";
    sink.attempted = true;
    sink.healthy = true;
    sink.queue_depth = 3;
    sink.oldest_pending_ms = now - 125000;
    sink.dead_letter_count = 1;
    DeadLetter d;
    d.id = 42;
    d.sink = "redmine";
    d.failed_ms = now - 60000;
    d.attempts = 1;
    d.reason = "Redmine answered 422: 必須項目 <b>cannot</b> be blank & \"more\"";
    sink.dead_letters.push_back(d);
    sink.last_success_ms = now - 5000;
    sink.last_error_ms = now - 60000;
    sink.last_error = "<script>alert(1)</script>";
    s.sinks.push_back(sink);
    s.hooks.push_back({"redmine", "carry_over", "0 9 * * *", now + 3600000, "ok", "", now - 1000});
    DeliveryRecord r;
    r.delivery_id = 7;
    r.sink = "redmine";
    r.route = "routes[0]";
    r.attempt = 1;
    r.result = "ok";
    r.at_ms = now - 5000;
    r.links.push_back({"http://127.0.0.1:3100/issues/123", "#123 [Alert] HighCPU (<img src=x>)"});
    s.deliveries.push_back(r);
    return s;
}

bool has(const std::string& html, const std::string& part) {
    return html.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("issue 14: html_escape escapes the five markup characters and keeps Japanese") {
    CHECK(html_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
    CHECK(html_escape("必須項目 (server01)") == "必須項目 (server01)");
    CHECK(html_escape("") == "");
}

TEST_CASE("issue 14: the status page escapes every outside text") {
    const std::string html = render_status_page(snapshot(), PageLanguage::en);
    CHECK_FALSE(has(html, "<script>"));
    CHECK(has(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK_FALSE(has(html, "<b>cannot</b>"));
    CHECK(has(html, "必須項目 &lt;b&gt;cannot&lt;/b&gt; be blank &amp; &quot;more&quot;"));
    CHECK_FALSE(has(html, "<img"));
    CHECK(has(html, "#123 [Alert] HighCPU (&lt;img src=x&gt;)"));
}

TEST_CASE("issue 14: the status page shows the build, sinks, dead letters, hooks and tickets") {
    const std::string html = render_status_page(snapshot(), PageLanguage::en);
    CHECK(has(html, "<html lang=\"en\">"));
    CHECK(has(html, "tickets-grouping 1.2.3"));
    CHECK(has(html, "on: bearer"));
    CHECK(has(html, "<td>3</td>"));               // queue depth
    CHECK(has(html, "2023-11-14 22:11:15 UTC"));  // oldest pending
    CHECK(has(html, "(2m 5s ago)"));              // its age
    CHECK(has(html, "Dead letters of redmine"));
    CHECK(has(html, "<td>42</td>"));
    CHECK(has(html, "carry_over"));
    CHECK(has(html, "<code>0 9 * * *</code>"));
    CHECK(has(html, "2023-11-14 23:13:20 UTC"));  // its next run
    CHECK(has(html, "href=\"http://127.0.0.1:3100/issues/123\""));
    CHECK(has(html, "Read-only."));
    // Nothing from elsewhere: no script, no external style or image, no form.
    CHECK_FALSE(has(html, "<script"));
    CHECK_FALSE(has(html, "<link"));
    CHECK_FALSE(has(html, " src=\""));
    CHECK_FALSE(has(html, "<form"));
    CHECK_FALSE(has(html, "<button"));
}

TEST_CASE("issue 14: the status page in Japanese") {
    const std::string html = render_status_page(snapshot(), PageLanguage::ja);
    CHECK(has(html, "<html lang=\"ja\">"));
    CHECK(has(html, "tickets-grouping 状態"));
    CHECK(has(html, "有効: bearer"));
    CHECK(has(html, "デッドレター: redmine"));
    CHECK(has(html, "最近の配信"));
    CHECK(has(html, "(2m 5s前)"));
    CHECK(has(html, "読み取り専用です。"));
    CHECK_FALSE(has(html, "Dead letters of"));
}

TEST_CASE("issue 14: the status page says when auth is off and when nothing happened yet") {
    StatusSnapshot s;
    s.version = "1.2.3";
    s.now_ms = now;
    s.sinks.push_back({"audit", "log_sink"});
    const std::string en = render_status_page(s, PageLanguage::en);
    CHECK(has(en, "off: this page and the admin requests are served to loopback clients only"));
    CHECK(has(en, "no delivery yet"));
    CHECK(has(en, "No scheduled hooks."));
    CHECK(has(en, "No delivery since the host started."));
    const std::string ja = render_status_page(s, PageLanguage::ja);
    CHECK(has(ja, "無効: このページと管理用のリクエストはループバックからのみ受け付けます"));
    CHECK(has(ja, "起動後の配信はまだありません。"));
}
