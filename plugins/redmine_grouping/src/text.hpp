// Everything a person reads in Redmine: subjects, descriptions and notes, in the configured
// time zone and text formatting (format-neutral until the formatting is known, see
// text_format.hpp). Label values are escaped so they cannot break the markup; annotations keep
// their prose markup but lose what acts beyond the text (markup_guard.hpp).
#pragma once

#include "alert.hpp"
#include "config.hpp"
#include "subject.hpp"
#include "templates.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

namespace tg::redmine {

// What a template can show besides the alert: see the README for the names it gets.
struct TextContext {
    const Alert* alert = nullptr;  // none for carry_over_note
    std::string external_url;
    TimePoint now{};
    std::string key;           // the ticket key
    std::string root_key;      // the Root's default subject
    size_t group_tickets = 0;  // open tickets in the alert's group, its own included
    int64_t issue_id = 0;      // carry_over_note: the ticket being carried over
    std::string issue_subject;
};

// The fixed words of the built-in texts, per `language`.
struct Words {
    std::string started, graph, label, value, root_description, recurrence, reopened, resolved,
        root_closed, carry_over_title, carry_over;
    // flap_window's summary: four `{}` slots (re-fires, resolves, from, to), then the state.
    std::string flap_summary, now_firing, now_resolved;
    std::string priority;  // update_priority's note: "<priority> <from> → <to>"
    // max_children's batch note: the title (one `{}`: the limit), the three kinds of change,
    // and the count of hosts (three `{}`: all, with a ticket, listed only).
    std::string batch_title, batch_fired, batch_refired, batch_resolved, batch_count;
    // After a resolve the reconcile hook found: Alertmanager no longer lists the alert.
    std::string found_by_reconcile;
};

// max_children: what a batch note on a Root lists (host names as the alerts give them).
struct BatchNote {
    std::vector<std::string> fired, refired, resolved;
    int64_t tickets_firing = 0, listed_firing = 0, max_children = 0;
};
const Words& words_for(Language language);

class TextBuilder {
  public:
    TextBuilder(TextFormat format, const std::string& time_zone, Language language = Language::ja,
                std::map<std::string, std::string> templates = {});

    // The `templates.<name>` setting rendered over `context` with `built_in` as {{{default}}};
    // `built_in` when the setting is absent. Subjects are one line of at most 255 characters and
    // fall back to `built_in` when the template renders nothing.
    std::string shape(const std::string& name, const TextContext& context,
                      const std::string& built_in) const;
    // A custom field's template: plain text, no markup escaping.
    std::string render_plain(const std::string& source, const TextContext& context) const;

    // `automatic` is format-neutral text until the sink learns Redmine's formatting.
    void set_format(TextFormat format);
    TextFormat format() const { return format_; }

    std::string time(TimePoint t) const;  // "2026-11-27 16:51:27 JST"
    std::string escape(std::string_view value) const;

    std::string description(const Alert& alert, const std::string& external_url) const;
    std::string root_description(const std::string& alertname) const;
    std::string recurrence_note(const Alert& alert, const std::string& external_url) const;
    std::string reopen_note(const Alert& alert, const std::string& external_url) const;
    std::string resolved_note(const Alert& alert, TimePoint now) const;
    std::string root_closed_note(TimePoint now) const;
    std::string carry_over_note(TimePoint now) const;
    // "この期間に 7 回再発・7 回解消 (09:02〜09:48), 現在: 発生中": the times of the window's first
    // and latest change, with the date when they are not on the same day.
    // update_priority: "優先度 通常 → 急いで" (the title in bold).
    std::string priority_note(const std::string& from, const std::string& to) const;
    // Whether `notes` is the priority note written for that change (in any text formatting).
    bool is_priority_note(const std::string& notes, const std::string& from,
                          const std::string& to) const;
    std::string flap_summary_note(int64_t recurrences, int64_t resolutions, TimePoint from,
                                  TimePoint to, bool firing) const;
    // max_children: "max_children (10) を超えたため…", a line per kind of change, the count.
    std::string batch_note(const BatchNote& batch) const;

  private:
    std::string bold(std::string_view label) const;
    std::string link(std::string_view text, std::string_view url) const;
    std::string annotation_lines(const Alert& alert) const;
    std::string label_table(const Alert& alert) const;
    std::string time_and_links(const Alert& alert, const std::string& external_url) const;
    TemplateValues values(const TextContext& context, const std::string& built_in) const;

    const date::time_zone* zone_;
    const Words& words_;
    std::map<std::string, std::string> templates_;
    TextFormat format_ = TextFormat::neutral;
};

}  // namespace tg::redmine
