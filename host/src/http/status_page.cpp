#include "http/status_page.hpp"

#include "http/html_escape.hpp"
#include "http/status_texts.hpp"

#include <ctime>
#include <sstream>

namespace tg::host {
namespace {

constexpr size_t shown_dead_letters = 20;  // per sink; the command lists them all
constexpr size_t shown_error = 500;        // characters of an error in a table cell

const char* style = R"(body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f2f2f2}
.ok{color:#176317}.bad{color:#a31515;font-weight:bold}.muted{color:#777}
.err{max-width:40em;word-break:break-word;font-size:.9em}footer{margin-top:2em;color:#777})";

std::string e(std::string_view text) { return html_escape(text); }

std::string clipped(const std::string& text) {
    if (text.size() <= shown_error) return e(text);
    size_t n = shown_error;  // at a UTF-8 character boundary
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    return e(text.substr(0, n)) + "…";
}

// "2024-05-01 09:30:00 UTC"; "—" for 0.
std::string when(int64_t ms) {
    if (ms <= 0) return "—";
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return text;
}

// "3h 12m", "4m 5s", "7s".
std::string duration(int64_t ms) {
    const int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s >= 86400)
        return std::to_string(s / 86400) + "d " + std::to_string(s % 86400 / 3600) + "h";
    if (s >= 3600) return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m";
    if (s >= 60) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
    return std::to_string(s) + "s";
}

// A past moment with its age: "2024-05-01 09:30:00 UTC (5m 2s ago)".
std::string past(int64_t ms, int64_t now, const StatusTexts& t) {
    if (ms <= 0) return std::string("<span class=\"muted\">") + t.none + "</span>";
    return when(ms) + " <span class=\"muted\">(" + duration(now - ms) + t.ago + ")</span>";
}

std::string result_cell(const std::string& result) {
    const bool ok = result == "ok" || result == "running";
    return "<span class=\"" + std::string(ok ? "ok" : "bad") + "\">" + e(result) + "</span>";
}

void sinks_section(std::ostream& out, const StatusSnapshot& s, const StatusTexts& t) {
    out << "<h2>" << t.sinks << "</h2>\n<table><tr><th>" << t.sink << "</th><th>" << t.health
        << "</th><th>" << t.queue << "</th><th>" << t.oldest_pending << "</th><th>"
        << t.dead_letters << "</th><th>" << t.last_success << "</th><th>" << t.last_error
        << "</th></tr>\n";
    for (const auto& sink : s.sinks) {
        out << "<tr><td>" << e(sink.name) << " <span class=\"muted\">(" << e(sink.plugin)
            << ")</span></td><td>";
        if (!sink.attempted)
            out << "<span class=\"muted\">" << t.no_attempt << "</span>";
        else if (sink.healthy)
            out << "<span class=\"ok\">" << t.healthy << "</span>";
        else
            out << "<span class=\"bad\">" << t.failing << "</span>";
        out << "</td><td>" << sink.queue_depth << "</td><td>"
            << past(sink.oldest_pending_ms, s.now_ms, t) << "</td><td>"
            << (sink.dead_letter_count > 0 ? "<span class=\"bad\">" : "<span>")
            << sink.dead_letter_count << "</span></td><td>"
            << past(sink.last_success_ms, s.now_ms, t) << "</td><td>"
            << past(sink.last_error_ms, s.now_ms, t);
        if (!sink.last_error.empty())
            out << "<div class=\"err\">" << clipped(sink.last_error) << "</div>";
        out << "</td></tr>\n";
    }
    out << "</table>\n";
    for (const auto& sink : s.sinks) {
        if (sink.dead_letters.empty()) continue;
        out << "<h3>" << t.dead_letters_of << e(sink.name) << "</h3>\n<table><tr><th>" << t.id
            << "</th><th>" << t.failed_at << "</th><th>" << t.attempts << "</th><th>" << t.reason
            << "</th></tr>\n";
        for (size_t i = 0; i < sink.dead_letters.size() && i < shown_dead_letters; ++i) {
            const auto& d = sink.dead_letters[i];
            out << "<tr><td>" << d.id << "</td><td>" << when(d.failed_ms) << "</td><td>"
                << d.attempts << "</td><td class=\"err dead-letter-reason\">" << clipped(d.reason)
                << "</td></tr>\n";
        }
        out << "</table>\n";
        const int64_t more =
            sink.dead_letter_count -
            static_cast<int64_t>(std::min(sink.dead_letters.size(), shown_dead_letters));
        if (more > 0) out << "<p class=\"muted\">" << more << t.more_dead_letters << "</p>\n";
    }
}

void hooks_section(std::ostream& out, const StatusSnapshot& s, const StatusTexts& t) {
    out << "<h2>" << t.hooks << "</h2>\n";
    if (s.hooks.empty()) {
        out << "<p class=\"muted\">" << t.no_hooks << "</p>\n";
        return;
    }
    out << "<table><tr><th>" << t.sink << "</th><th>" << t.hook << "</th><th>" << t.schedule
        << "</th><th>" << t.next_run << "</th><th>" << t.last_result << "</th></tr>\n";
    for (const auto& h : s.hooks) {
        out << "<tr><td>" << e(h.sink) << "</td><td>" << e(h.hook) << "</td><td><code>"
            << e(h.schedule) << "</code></td><td>" << when(h.next_run_ms) << "</td><td>";
        if (h.last_result.empty())
            out << "<span class=\"muted\">" << t.none << "</span>";
        else
            out << result_cell(h.last_result) << " " << past(h.last_run_ms, s.now_ms, t);
        if (!h.last_error.empty())
            out << "<div class=\"err\">" << clipped(h.last_error) << "</div>";
        out << "</td></tr>\n";
    }
    out << "</table>\n";
}

void deliveries_section(std::ostream& out, const StatusSnapshot& s, const StatusTexts& t) {
    out << "<h2>" << t.deliveries << "</h2>\n";
    if (s.deliveries.empty()) {
        out << "<p class=\"muted\">" << t.no_deliveries << "</p>\n";
        return;
    }
    out << "<table><tr><th>" << t.time << "</th><th>" << t.sink << "</th><th>" << t.delivery
        << "</th><th>" << t.result << "</th><th>" << t.tickets << "</th></tr>\n";
    for (const auto& d : s.deliveries) {
        out << "<tr><td>" << when(d.at_ms) << "</td><td>" << e(d.sink) << "</td><td>"
            << d.delivery_id << " <span class=\"muted\">#" << d.attempt << " " << e(d.route)
            << "</span></td><td>" << result_cell(d.result) << "</td><td>";
        for (const auto& link : d.links)
            out << "<div><a class=\"ticket\" rel=\"noreferrer\" href=\"" << e(link.url) << "\">"
                << e(link.label.empty() ? link.url : link.label) << "</a></div>";
        if (!d.error.empty()) out << "<div class=\"err\">" << clipped(d.error) << "</div>";
        out << "</td></tr>\n";
    }
    out << "</table>\n";
}

}  // namespace

std::string render_status_page(const StatusSnapshot& s, PageLanguage language) {
    const StatusTexts& t = status_texts(language);
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"" << t.lang << "\"><head><meta charset=\"utf-8\">"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        << "<title>" << t.title << "</title><style>" << style << "</style></head><body>\n"
        << "<h1>" << t.title << "</h1>\n<p>" << t.build << ": <code>tickets-grouping "
        << e(s.version) << "</code> · " << when(s.now_ms) << "</p>\n<p>" << t.auth << ": "
        << (s.auth.empty() ? std::string("<span class=\"bad\">") + t.auth_off + "</span>"
                           : std::string("<span class=\"ok\">") + t.auth_on + e(s.auth) + "</span>")
        << "</p>\n";
    if (!s.store_error.empty())
        out << "<p class=\"bad\">" << t.store_error << clipped(s.store_error) << "</p>\n";
    sinks_section(out, s, t);
    hooks_section(out, s, t);
    deliveries_section(out, s, t);
    out << "<footer>" << t.footer << "</footer>\n</body></html>\n";
    return out.str();
}

}  // namespace tg::host
