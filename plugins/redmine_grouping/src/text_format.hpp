// Which text formatting the tickets are written in. Redmine keeps it in the global setting
// `text_formatting` (textile, or common_mark by default since 5.1) and exposes it over no REST
// call. What the API user can read is the issue page Redmine renders for it: it loads the
// editor of the site's formatting (jstoolbar/textile.js, jstoolbar/common_mark.js,
// jstoolbar/markdown.js, in 5.0 to 6.1 alike) and, since 6.0, every page says
// <body data-text-formatting="...">. Until such a page has been seen (an empty project, or a
// user who may not edit), the texts are format-neutral: they read the same in textile and in
// CommonMark. `text_formatting` in the configuration overrides all of it.
//
// What is learned is the sink instance's, shared by its delivery lanes (learned_format.hpp):
// one lane reads the pages, the others wait for its answer.
#pragma once

#include "config.hpp"
#include "learned_format.hpp"
#include "text.hpp"
#include "tracker.hpp"

#include <tickets_grouping/sink.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg::redmine {

// textile, common_mark, markdown (6.0 dropped it: taken as common_mark, with a warning in
// `warnings`) or auto. Throws std::invalid_argument.
TextFormat parse_text_format(const std::string& value, std::vector<std::string>& warnings);
std::string format_name(TextFormat format);

// The formatting a Redmine page shows; nullopt when it shows none.
std::optional<TextFormat> format_of_page(std::string_view html);

// Learns the formatting once per sink instance and sets it on the TextBuilder of a lane.
class TextFormatting {
  public:
    // `learned`: what the lanes of the sink learn together; none, a record of this one's own.
    TextFormatting(const Config& config, Tracker& tracker, TextBuilder& text,
                   const tg::HostServices& host, std::shared_ptr<LearnedFormat> learned = nullptr);

    // Before texts are written: takes what another lane learned, or else looks at the page of
    // `issue_id` (an issue of the sink's state) or else of the project's newest issue, or else
    // the project page. Waits while another lane looks (see LearnedFormat). Never throws: a
    // failure leaves the texts format-neutral and is tried again next time.
    void ensure(int64_t issue_id = 0);
    // After the sink created issue `issue_id` while the formatting was unknown: learns it from
    // that issue's page, or from another lane that learned it meanwhile. True when it is now
    // known (its description is worth writing again).
    bool learn_from_created(int64_t issue_id);
    bool known() const { return state_ == State::known; }
    // For --check-config: what was seen, as one line.
    std::string describe() const;

    // Gives back, when it goes, a claim on the probe that `formats`' lane left: its delivery
    // ended before its first issue showed the formatting (it failed, or created none).
    class Release {
      public:
        explicit Release(TextFormatting& formats) : formats_(formats) {}
        Release(const Release&) = delete;
        Release& operator=(const Release&) = delete;
        ~Release() { formats_.learned_->release(&formats_); }

      private:
        TextFormatting& formats_;
    };

  private:
    using State = LearnedFormat::State;
    std::optional<TextFormat> from_page(const std::string& path);
    bool adopt(const LearnedFormat::Seen& seen);
    void probe(int64_t issue_id);
    void learn(TextFormat format, const std::string& where);
    void give_up(const std::string& why);

    const Config& config_;
    Tracker& tracker_;
    TextBuilder& text_;
    const tg::HostServices& host_;
    std::shared_ptr<LearnedFormat> learned_;
    State state_ = State::unknown;  // what this lane's texts are written in
    std::string seen_on_;
};

}  // namespace tg::redmine
