#include "text.hpp"

#include "markup_guard.hpp"
#include "natural_order.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

namespace tg::redmine {

const Words& words_for(Language language) {
    static const Words ja{
        "発生時刻",
        "グラフ",
        "ラベル",
        "値",
        "アラート {} が複数のホストで発生しています。各ホストのチケットは子チケットです。",
        "再発",
        "再発 (再オープン)",
        "解消",
        "すべての子チケットが終了しました ({})",
        "持ち越し",
        "{} 時点で未完了のため持ち越します。",
        "この期間に {} 回再発・{} 回解消 ({}〜{}), 現在: ",
        "発生中",
        "解消",
        "優先度",
        "max_children ({}) を超えたため、個別のチケットを作らずここに記録するホスト:",
        "発生",
        "再発",
        "解消",
        "現在の影響ホスト: {} (個別チケット {}、この一覧のみ {})",
        "(Alertmanager との照合で検出: 解消の通知が届かなかったアラート)"};
    static const Words en{"Started",
                          "Graph",
                          "Label",
                          "Value",
                          "Alert {} is firing on more than one host. Each host's ticket is a "
                          "subtask of this one.",
                          "Recurred",
                          "Recurred (reopened)",
                          "Resolved",
                          "all subtasks are closed ({})",
                          "Carried over",
                          "still open at {}, carried over.",
                          "In this period: recurred {} times, resolved {} times ({} to {}), now: ",
                          "firing",
                          "resolved",
                          "Priority",
                          "Hosts past max_children ({}), recorded here without a ticket of "
                          "their own:",
                          "Firing",
                          "Firing again",
                          "Resolved",
                          "Hosts affected now: {} ({} with a ticket, {} listed here only)",
                          "(found by reconciling with Alertmanager: its resolve never arrived)"};
    return language == Language::en ? en : ja;
}

namespace {
// Words with one `{}` slot.
std::string fill(const std::string& pattern, const std::string& value) {
    const size_t at = pattern.find("{}");
    if (at == std::string::npos) return pattern;
    return pattern.substr(0, at) + value + pattern.substr(at + 2);
}
}  // namespace

TextBuilder::TextBuilder(TextFormat format, const std::string& time_zone, Language language,
                         std::map<std::string, std::string> templates)
    : zone_(date::locate_zone(time_zone)),
      words_(words_for(language)),
      templates_(std::move(templates)) {
    set_format(format);
}

std::string TextBuilder::time(TimePoint t) const {
    auto zoned = date::make_zoned(zone_, std::chrono::floor<std::chrono::seconds>(t));
    return date::format("%Y-%m-%d %H:%M:%S %Z", zoned);
}

namespace {
// Letters, digits and any non-ASCII byte: markup characters between two of them cannot open or
// close a phrase, and escaping them there would break autolinked URLs (a/b?c=1+2).
bool word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || std::isalnum(u);
}

// Which characters of a label cannot stay as they are: always, or at the edge of a word.
struct EscapeSet {
    std::string_view always, at_edges;
    bool backslash;  // CommonMark's \x; else a numeric character reference (&#N;)
};
const EscapeSet& escape_set(TextFormat format) {
    static const EscapeSet textile{"|[]{}<", "*_+-^~%\"!=#?", false};
    static const EscapeSet common_mark{"|[]{}\\`*<>", "_~#!+-", true};
    // Both of the above: references read as the character in textile and in CommonMark.
    static const EscapeSet neutral{"|[]{}\\`*<>", "*_+-^~%\"!=#?", false};
    return format == TextFormat::textile       ? textile
           : format == TextFormat::common_mark ? common_mark
                                               : neutral;
}
}  // namespace

void TextBuilder::set_format(TextFormat format) {
    format_ = format == TextFormat::automatic ? TextFormat::neutral : format;
}

std::string TextBuilder::escape(std::string_view value) const {
    // For label names and values (and annotation names): one line, and no character that could
    // end a table cell, start markup, mention a user (@) or form a macro or wiki link.
    std::string out;
    out.reserve(value.size());
    const EscapeSet& set = escape_set(format_);
    for (size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\r') continue;
        if (c == '\n' || c == '\t') {
            out += ' ';
            continue;
        }
        if (c == '@') {  // a mention (Redmine notifies the user) or an e-mail autolink
            out += std::string(kWordJoiner) + "&#64;";
            continue;
        }
        // CommonMark outputs the character itself: [[ and {{ would form a wiki link or a macro.
        if (format_ != TextFormat::textile && (c == '[' || c == '{') && i > 0 && value[i - 1] == c)
            out += kWordJoiner;
        const bool inside_word =
            i > 0 && i + 1 < value.size() && word_byte(value[i - 1]) && word_byte(value[i + 1]);
        const bool special =
            set.always.find(c) != std::string_view::npos ||
            (!inside_word && set.at_edges.find(c) != std::string_view::npos) ||
            (c == '&' && i + 1 < value.size() &&
             (value[i + 1] == '#' || std::isalpha(static_cast<unsigned char>(value[i + 1]))));
        if (special && !set.backslash) {
            // Numeric references render as the character and cannot open a cell or a phrase.
            out += "&#" + std::to_string(static_cast<int>(c)) + ";";
            continue;
        }
        if (special) out += '\\';
        out += c;
    }
    return out;
}

std::string TextBuilder::bold(std::string_view label) const {
    // `**x:**` is bold in textile too (<b>), so format-neutral text uses it.
    return format_ == TextFormat::textile ? "*" + std::string(label) + ":*"
                                          : "**" + std::string(label) + ":**";
}

namespace {
// The characters a URL keeps as they are; the others are percent-encoded so that no
// formatting reads markup in it and an autolinker takes it whole.
bool url_byte(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-._~:/?#&=+%,;").find(c) != std::string_view::npos;
}
std::string percent(char c) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
    return buf;
}
}  // namespace

std::string TextBuilder::link(std::string_view text, std::string_view url) const {
    // Only http(s) URLs become links; anything else (javascript:, file:, a typo) is shown as
    // text. URLs are not escaped cell-style: they must stay clickable.
    if (!is_web_url(url)) return escape(url);
    std::string u;
    const size_t host_end = url.find('/', url.find("://") + 3);
    for (size_t i = 0; i < url.size(); ++i) {
        const char c = url[i];
        // An @ after the host would read as a mention; autolinkers leave a trailing . , ; : ?
        // out of the link.
        const bool keep =
            c == '@' ? i < host_end
                     : url_byte(c) && !(i + 1 == url.size() && std::string_view(".,;:?").find(c) !=
                                                                   std::string_view::npos);
        u += keep ? std::string(1, c) : percent(c);
    }
    if (format_ == TextFormat::textile) return "\"" + std::string(text) + "\":" + u;
    if (format_ == TextFormat::common_mark) return "[" + std::string(text) + "](" + u + ")";
    return u;  // format-neutral: both formattings link a bare URL by themselves
}

std::string TextBuilder::annotation_lines(const Alert& alert) const {
    std::string out;
    for (const auto& [name, value] : alert.annotations) {
        if (value.empty()) continue;
        // Values are prose written by the rule's author (often with markup of their own): kept
        // as written, except for what would act beyond the text (markup_guard.hpp).
        if (name == "description")
            out += guard_prose(value) + "\n\n";
        else
            out += bold(escape(name)) + " " + guard_prose(value) + "\n\n";
    }
    return out;
}

std::string TextBuilder::time_and_links(const Alert& alert, const std::string& external_url) const {
    std::string out;
    if (alert.starts_at) out += bold(words_.started) + " " + time(*alert.starts_at) + "\n\n";
    if (!alert.generator_url.empty())
        out += bold("Prometheus") + " " + link(words_.graph, alert.generator_url) + "\n\n";
    if (!external_url.empty())
        out += bold("Alertmanager") + " " + link("Alertmanager", external_url) + "\n\n";
    return out;
}

std::string TextBuilder::label_table(const Alert& alert) const {
    std::string out;
    if (format_ == TextFormat::neutral) {
        // A table cannot be written the same for both: a list reads right in both.
        out = bold(words_.label) + "\n\n";
        for (const auto& [name, value] : alert.labels)
            out += "* " + escape(name) + ": " + escape(value) + "\n";
        return out;
    }
    out = format_ == TextFormat::textile
              ? "|_. " + words_.label + " |_. " + words_.value + " |\n"
              : "| " + words_.label + " | " + words_.value + " |\n|---|---|\n";
    for (const auto& [name, value] : alert.labels)
        out += "| " + escape(name) + " | " + escape(value) + " |\n";
    return out;
}

namespace {
std::string trim_newlines(std::string s) {
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}
}  // namespace

std::string TextBuilder::description(const Alert& alert, const std::string& external_url) const {
    std::string out = annotation_lines(alert) + label_table(alert);
    out += "\n" + time_and_links(alert, external_url);
    return trim_newlines(out);
}

std::string TextBuilder::root_description(const std::string& alertname) const {
    return fill(words_.root_description, escape(alertname));
}

std::string TextBuilder::recurrence_note(const Alert& alert,
                                         const std::string& external_url) const {
    std::string out =
        bold(words_.recurrence) + " " + (alert.starts_at ? time(*alert.starts_at) : "") + "\n\n";
    return trim_newlines(out + annotation_lines(alert) + time_and_links(alert, external_url));
}

std::string TextBuilder::reopen_note(const Alert& alert, const std::string& external_url) const {
    std::string out =
        bold(words_.reopened) + " " + (alert.starts_at ? time(*alert.starts_at) : "") + "\n\n";
    return trim_newlines(out + annotation_lines(alert) + time_and_links(alert, external_url));
}

std::string TextBuilder::resolved_note(const Alert& alert, TimePoint now) const {
    return bold(words_.resolved) + " " + time(alert.ends_at ? *alert.ends_at : now) +
           (alert.reconciled ? " " + words_.found_by_reconcile : "");
}

std::string TextBuilder::root_closed_note(TimePoint now) const {
    return bold(words_.resolved) + " " + fill(words_.root_closed, time(now));
}

std::string TextBuilder::carry_over_note(TimePoint now) const {
    return bold(words_.carry_over_title) + " " + fill(words_.carry_over, time(now));
}

std::string TextBuilder::priority_note(const std::string& from, const std::string& to) const {
    return bold(words_.priority) + " " + escape(from) + " → " + escape(to);
}

bool TextBuilder::is_priority_note(const std::string& notes, const std::string& from,
                                   const std::string& to) const {
    // The title's markup depends on the formatting the note was written in: look past it.
    const std::string tail = " " + escape(from) + " → " + escape(to);
    const auto title = notes.find(words_.priority);
    return title != std::string::npos && title < 4 && notes.size() >= tail.size() &&
           notes.compare(notes.size() - tail.size(), tail.size(), tail) == 0;
}

std::string TextBuilder::flap_summary_note(int64_t recurrences, int64_t resolutions, TimePoint from,
                                           TimePoint to, bool firing) const {
    const auto local = [this](TimePoint t) {
        return date::make_zoned(zone_, std::chrono::floor<std::chrono::seconds>(t));
    };
    const auto day = [&](TimePoint t) { return date::format("%F", local(t)); };
    const char* pattern = day(from) == day(to) ? "%H:%M" : "%F %H:%M";
    std::string out = words_.flap_summary;
    for (const std::string& value :
         {std::to_string(recurrences), std::to_string(resolutions),
          date::format(pattern, local(from)), date::format(pattern, local(to))})
        out = fill(out, value);
    return out + (firing ? words_.now_firing : words_.now_resolved);
}

std::string TextBuilder::batch_note(const BatchNote& batch) const {
    std::string out = fill(words_.batch_title, std::to_string(batch.max_children)) + "\n";
    const auto line = [&](const std::string& word, std::vector<std::string> hosts) {
        if (hosts.empty()) return;
        std::sort(hosts.begin(), hosts.end(), natural_less);
        std::string names;
        for (const auto& h : hosts) names += (names.empty() ? "" : ", ") + escape(h);
        out += "\n" + bold(word) + " " + names + "\n";
    };
    line(words_.batch_fired, batch.fired);
    line(words_.batch_refired, batch.refired);
    line(words_.batch_resolved, batch.resolved);
    std::string count = words_.batch_count;
    for (int64_t n :
         {batch.tickets_firing + batch.listed_firing, batch.tickets_firing, batch.listed_firing})
        count = fill(count, std::to_string(n));
    return out + "\n" + count;
}

namespace {
std::string one_line(std::string s) {
    for (auto& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    return s;
}
}  // namespace

TemplateValues TextBuilder::values(const TextContext& c, const std::string& built_in) const {
    TemplateValues v;
    v.text["default"] = built_in;
    v.text["key"] = c.key;
    v.text["root_key"] = c.root_key;
    v.text["now"] = time(c.now);
    v.text["external_url"] = c.external_url;
    v.text["group_tickets"] = std::to_string(c.group_tickets);
    if (c.issue_id) v.text["issue_id"] = std::to_string(c.issue_id);
    v.text["issue_subject"] = c.issue_subject;
    if (const Alert* a = c.alert) {
        v.text["alertname"] = a->alertname();
        v.text["instance"] = a->instance();
        v.text["status"] = a->firing ? "firing" : "resolved";
        v.text["starts_at"] = a->starts_at ? time(*a->starts_at) : "";
        v.text["ends_at"] = a->ends_at ? time(*a->ends_at) : "";
        v.text["generator_url"] = a->generator_url;
        v.text["fingerprint"] = a->fingerprint;
        v.text["found_by"] = a->reconciled ? "reconcile" : "webhook";
        v.objects["labels"] = a->labels;
        auto& annotations = v.objects["annotations"];
        for (const auto& [k, value] : a->annotations) annotations[k] = value;
        v.pairs["labels_list"].assign(a->labels.begin(), a->labels.end());
        v.pairs["annotations_list"] = a->annotations;
    }
    return v;
}

std::string TextBuilder::shape(const std::string& name, const TextContext& context,
                               const std::string& built_in) const {
    const auto it = templates_.find(name);
    if (it == templates_.end()) return built_in;
    const bool subject = name == "subject" || name == "root_subject";
    if (!subject)  // no trailing blank lines from sections that rendered nothing
        return trim_newlines(render_template(it->second, values(context, built_in),
                                             [this](const std::string& s) { return escape(s); }));
    std::string out = one_line(render_template(it->second, values(context, built_in), one_line));
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.find_first_not_of(' ') == std::string::npos) return built_in;
    return fit_utf8(out, kMaxSubjectChars);
}

std::string TextBuilder::render_plain(const std::string& source, const TextContext& context) const {
    return render_template(source, values(context, ""), one_line);
}

}  // namespace tg::redmine
