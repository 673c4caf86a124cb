#include "config/matcher_parser.hpp"

#include "text/utf8.hpp"

#include <cstdio>

namespace tg::host {

namespace {

// What separates tokens for both parsers: the classic one's \s.
bool is_blank(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Go's unicode.IsSpace: what the UTF-8 parser also skips, and what ends an unquoted token.
bool is_go_space(char32_t c) {
    switch (c) {
        case '\t':
        case '\n':
        case '\v':
        case '\f':
        case '\r':
        case ' ':
        case 0x85:
        case 0xA0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202F:
        case 0x205F:
        case 0x3000:
            return true;
        default:
            return c >= 0x2000 && c <= 0x200A;
    }
}

// The UTF-8 parser's reserved characters: none of them may stand in an unquoted value.
bool is_reserved(char32_t c) {
    return is_go_space(c) ||
           (c < 0x80 &&
            std::string_view("{}!=~,\\\"'`").find(static_cast<char>(c)) != std::string_view::npos);
}

// Why an unquoted value cannot hold `c` (one of the reserved characters), and what to write.
std::string reserved_hint(char32_t c) {
    switch (c) {
        case '=':
        case '!':
        case '~':
            return "the operators are =, !=, =~ and !~ (\"==\" is none), and a value holding = ! "
                   "or ~ "
                   "goes in double quotes";
        case '\'':
        case '`':
            return "only double quotes quote a value";
        case '\\':
            return "a backslash goes in a double-quoted value, written \\\\";
        case '"':
            return "a double quote goes in a double-quoted value, written \\\"";
        case '{':
        case '}':
            return "a value holding braces goes in double quotes";
        default:
            return "a value holding spaces goes in double quotes";
    }
}

class MatcherParser {
  public:
    explicit MatcherParser(std::string_view text) : text_(text), end_(text.size()) {}

    std::vector<Matcher> parse() {
        if (const size_t bad = common::invalid_utf8_at(text_); bad != std::string_view::npos)
            fail(bad, "not valid UTF-8");
        if (!text_.empty() && text_.front() == '{') {
            if (text_.size() < 2 || text_.back() != '}')
                fail(text_.size(), "missing the closing brace \"}\" at the end");
            pos_ = 1;
            end_ = text_.size() - 1;
        } else if (!text_.empty() && text_.back() == '}') {
            fail(text_.size() - 1, "a closing brace without an opening \"{\" at the start");
        }
        std::vector<Matcher> out;
        while (true) {
            skip_blanks();
            if (pos_ == end_) break;  // the end, or after one trailing comma
            out.push_back(matcher());
            skip_blanks();
            if (pos_ == end_) break;
            if (text_[pos_] != ',')
                fail(pos_, "unexpected " + shown(pos_) +
                               ": matchers are separated by commas (a value holding spaces goes "
                               "in double quotes)");
            ++pos_;
        }
        if (out.empty()) fail(pos_, "no matcher in it (write one such as severity=\"critical\")");
        return out;
    }

  private:
    Matcher matcher() {
        std::string n = name();
        skip_blanks();
        const Matcher::Op o = op(n);
        skip_blanks();
        const size_t value_at = pos_;
        std::string v = value();
        try {
            return Matcher::make(std::move(n), o, std::move(v));
        } catch (const MatcherError& e) {
            fail(value_at, e.what());
        }
    }

    std::string name() {
        if (text_[pos_] == '"')
            fail(pos_,
                 "a label name is written without quotes (only Alertmanager's UTF-8 parser "
                 "reads quoted names)");
        if (!is_matcher_name_start(text_[pos_]))
            fail(pos_, "expected a label name ([a-zA-Z_:][a-zA-Z0-9_:]*), got " + shown(pos_));
        const size_t start = pos_;
        while (pos_ < end_ && is_matcher_name_char(text_[pos_])) ++pos_;
        if (pos_ < end_ && !is_blank(here()) && text_[pos_] != '=' && text_[pos_] != '!')
            fail(pos_, shown(pos_) + " cannot be part of a label name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        return std::string(text_.substr(start, pos_ - start));
    }

    Matcher::Op op(const std::string& name) {
        const std::string_view rest = text_.substr(pos_, end_ - pos_);
        for (const auto& [text, op] : {std::pair{"=~", Matcher::Op::RegexMatch},
                                       {"!~", Matcher::Op::RegexNoMatch},
                                       {"!=", Matcher::Op::NotEqual},
                                       {"=", Matcher::Op::Equal}}) {
            if (rest.starts_with(text)) {
                pos_ += std::string_view(text).size();
                return op;
            }
        }
        fail(pos_, "expected an operator (=, !=, =~, !~) after the label name '" + name + "'");
    }

    std::string value() {
        if (pos_ == end_ || text_[pos_] == ',')
            fail(pos_, "missing value (write name=\"\" to match an empty or missing label)");
        return text_[pos_] == '"' ? quoted() : unquoted();
    }

    std::string unquoted() {
        const size_t start = pos_;
        while (pos_ < end_ && !is_reserved(here())) pos_ += common::decode_utf8(text_, pos_).length;
        if (pos_ < end_ && !is_blank(here()) && text_[pos_] != ',') {
            fail(pos_, (pos_ == start ? "an unquoted value cannot start with "
                                      : "an unquoted value cannot hold ") +
                           shown(pos_) + ": " + reserved_hint(here()));
        }
        return std::string(text_.substr(start, pos_ - start));
    }

    std::string quoted() {
        const size_t open = pos_++;
        std::string out;
        while (true) {
            if (pos_ >= end_) fail(open, "missing closing double quote");
            const char c = text_[pos_];
            if (c == '"') break;
            if (c == '\n') fail(pos_, "a line break inside double quotes (write \\n)");
            if (c != '\\') {
                out += c;
                ++pos_;
                continue;
            }
            if (pos_ + 1 >= end_) fail(pos_, "unterminated escape sequence");
            const char e = text_[pos_ + 1];
            if (e == '"' || e == '\\') {
                out += e;
            } else if (e == 'n') {
                out += '\n';
            } else {
                fail(pos_, "unknown escape sequence \\" + shown(pos_ + 1) +
                               ": Alertmanager's two parsers read it differently (use \\\" \\\\ "
                               "or \\n; in a regex write \\\\ for a backslash, as in \\\\d)");
            }
            pos_ += 2;
        }
        ++pos_;  // the closing quote
        if (pos_ < end_ && !is_blank(here()) && text_[pos_] != ',')
            fail(pos_, "unexpected text after the closing double quote");
        return out;
    }

    void skip_blanks() {
        while (pos_ < end_ && is_blank(here())) ++pos_;
    }

    char32_t here() const { return common::decode_utf8(text_, pos_).code_point; }

    // The character at `at` for a message: itself in single quotes (double ones are the matcher's),
    // or its code for blanks and controls.
    std::string shown(size_t at) const {
        if (at >= end_) return "the end";
        const common::Utf8Char c = common::decode_utf8(text_, at);
        if (c.code_point >= 0x20 && c.code_point != 0x7F && !is_go_space(c.code_point))
            return "'" + std::string(text_.substr(at, c.length)) + "'";
        char code[16];
        std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c.code_point));
        return code;
    }

    [[noreturn]] void fail(size_t at, const std::string& why) const {
        const size_t column = common::utf8_column(text_, at) + 1;
        throw MatcherError("invalid matcher '" + std::string(text_) + "' at column " +
                               std::to_string(column) + ": " + why,
                           column);
    }

    std::string_view text_;
    size_t pos_ = 0;
    size_t end_;
};

}  // namespace

std::vector<Matcher> parse_matchers(std::string_view text) { return MatcherParser(text).parse(); }

}  // namespace tg::host
