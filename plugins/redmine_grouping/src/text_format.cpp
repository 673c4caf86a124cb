#include "text_format.hpp"

#include <Poco/JSON/Array.h>

#include <stdexcept>

namespace tg::redmine {

TextFormat parse_text_format(const std::string& value, std::vector<std::string>& warnings) {
    if (value == "auto") return TextFormat::automatic;
    if (value == "textile") return TextFormat::textile;
    if (value == "common_mark") return TextFormat::common_mark;
    if (value == "markdown") {
        warnings.push_back(
            "text_formatting: 'markdown' (Redcarpet) is deprecated since Redmine 5 and gone in "
            "6.0, which moves such sites to common_mark: the texts are written as common_mark; "
            "set text_formatting: common_mark");
        return TextFormat::common_mark;
    }
    throw std::invalid_argument("expected auto, textile, common_mark or markdown, got '" + value +
                                "'");
}

std::string format_name(TextFormat format) {
    switch (format) {
        case TextFormat::automatic:
            return "auto";
        case TextFormat::textile:
            return "textile";
        case TextFormat::common_mark:
            return "common_mark";
        case TextFormat::neutral:
            break;
    }
    return "format-neutral";
}

namespace {
std::optional<TextFormat> named(std::string_view name) {
    if (name == "textile") return TextFormat::textile;
    // Redcarpet's markdown (Redmine 5) reads CommonMark's tables, emphasis and links alike.
    if (name == "common_mark" || name == "markdown") return TextFormat::common_mark;
    return std::nullopt;
}
}  // namespace

std::optional<TextFormat> format_of_page(std::string_view html) {
    constexpr std::string_view attribute = "data-text-formatting=\"";
    if (const size_t at = html.find(attribute); at != std::string_view::npos) {
        const size_t start = at + attribute.size();
        const size_t end = html.find('"', start);
        if (end != std::string_view::npos) return named(html.substr(start, end - start));
    }
    // The editor's script: /javascripts/jstoolbar/textile.js?1700000000 (5.x) or
    // /assets/jstoolbar/textile-<digest>.js (6.x).
    constexpr std::string_view toolbar = "jstoolbar/";
    for (size_t at = html.find(toolbar); at != std::string_view::npos;
         at = html.find(toolbar, at + 1)) {
        const size_t start = at + toolbar.size();
        size_t end = start;
        while (end < html.size() &&
               (std::islower(static_cast<unsigned char>(html[end])) || html[end] == '_'))
            ++end;
        if (end < html.size() && (html[end] == '.' || html[end] == '-'))
            if (auto f = named(html.substr(start, end - start))) return f;
    }
    return std::nullopt;
}

TextFormatting::TextFormatting(const Config& config, Tracker& tracker, TextBuilder& text,
                               const tg::HostServices& host, std::shared_ptr<LearnedFormat> learned)
    : config_(config),
      tracker_(tracker),
      text_(text),
      host_(host),
      learned_(learned ? std::move(learned) : std::make_shared<LearnedFormat>(config.timeout)) {
    if (config.text_formatting != TextFormat::automatic) {
        text_.set_format(config.text_formatting);
        state_ = State::known;
        seen_on_ = "the configuration";
    }
}

std::optional<TextFormat> TextFormatting::from_page(const std::string& path) {
    return format_of_page(tracker_.read_page(path));
}

// What the lanes learned, taken for this lane's texts; false while it is unknown.
bool TextFormatting::adopt(const LearnedFormat::Seen& seen) {
    if (seen.state == State::unknown) return false;
    if (seen.state == State::known) text_.set_format(seen.format);
    state_ = seen.state;
    seen_on_ = seen.where;
    return true;
}

void TextFormatting::learn(TextFormat format, const std::string& where) {
    // Another lane's answer, if it settled first, stands: they read the same Redmine.
    adopt(learned_->settle(this, State::known, format, where));
    host_.info("text_formatting: Redmine formats text as " + format_name(format) + " (seen on " +
               where + "); the tickets are written so");
}

void TextFormatting::ensure(int64_t issue_id) {
    if (state_ != State::unknown) return;
    // Waits while another lane looks; then what it learned, or else the claim is this lane's.
    const LearnedFormat::Turn turn = learned_->take_turn(this);
    if (adopt(turn.seen) || !turn.mine) return;
    // The project showed none: this lane's first issue will, and it keeps the claim meanwhile.
    if (issue_id <= 0 && turn.seen.project_looked) return;
    probe(issue_id);
}

void TextFormatting::probe(int64_t issue_id) {
    try {
        if (issue_id > 0) {  // the sink's own: editable, so its page shows the editor
            const std::string page = "/issues/" + std::to_string(issue_id);
            if (auto f = from_page(page))
                learn(*f, page);
            else
                give_up("the sink's issue page " + page +
                        " shows no text formatting (none, or another editor)");
            return;
        }
        IssueQuery newest;
        newest.project = config_.project;
        newest.filters = {{"status_id", "*"}};
        newest.limit = 1;
        auto list = tracker_.search_issues(newest).issues;
        // Another user's issue may not show the editor: then the sink's first issue will.
        const std::string project = url_encoded(config_.project);
        const std::string page =
            list->size() > 0
                ? "/issues/" + std::to_string(list->getObject(0)->getValue<Poco::Int64>("id"))
                : "/projects/" + project;  // 6.0+ marks every page
        if (auto f = from_page(page))
            learn(*f, page);
        else
            learned_->project_looked(this);
    } catch (const tg::Drop& e) {  // refused (a proxy in front of the pages, ...): for good
        give_up("the page could not be read: " + std::string(e.what()));
    } catch (const std::exception& e) {  // an outage: try again before the next texts
        learned_->release(this);         // another lane may, meanwhile
        host_.debug(std::string("text_formatting: not read this time: ") + e.what());
    }
}

void TextFormatting::give_up(const std::string& why) {
    adopt(learned_->settle(this, State::unknowable, TextFormat::neutral, why));
    host_.warn("text_formatting: " + why +
               ": the tickets are written format-neutral; set text_formatting to textile or "
               "common_mark to choose");
}

bool TextFormatting::learn_from_created(int64_t issue_id) {
    if (state_ != State::unknown || issue_id <= 0) return false;
    // Another lane learned it while this one wrote format-neutral (it waited out the longest
    // wait): this lane's issue is written again too, and its page need not be read.
    if (adopt(learned_->seen())) return state_ == State::known;
    const std::string page = "/issues/" + std::to_string(issue_id);
    try {
        if (auto f = from_page(page)) {
            learn(*f, page);
            return true;
        }
        give_up("the sink's issue page " + page +
                " shows no text formatting (none, or another editor)");
    } catch (const tg::Drop& e) {
        give_up(page + " could not be read: " + e.what());
    } catch (const std::exception& e) {
        learned_->release(this);
        host_.debug("text_formatting: " + page + " not read this time: " + e.what());
    }
    return false;
}

std::string TextFormatting::describe() const {
    if (state_ == State::known)
        return "text_formatting: " + format_name(text_.format()) + " (from " + seen_on_ + ")";
    if (state_ == State::unknowable) return "text_formatting: format-neutral (" + seen_on_ + ")";
    return "text_formatting: format-neutral until an issue page shows Redmine's formatting";
}

}  // namespace tg::redmine
