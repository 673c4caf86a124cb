#include "config/matcher.hpp"

#include "config/matcher_parser.hpp"

#include <re2/re2.h>

namespace tg::host {

namespace {

// Go's regexp.Compile, as Alertmanager calls it: RE2 syntax with Perl's extensions (\d, \b,
// non-greedy repeats), UTF-8 text, case-sensitive, leftmost-first (not POSIX leftmost-longest),
// `.` not matching a newline unless (?s), ^ and $ at the ends of the text unless (?m).
RE2::Options go_regexp_options() {
    RE2::Options options;
    options.set_encoding(RE2::Options::EncodingUTF8);
    options.set_posix_syntax(false);
    options.set_longest_match(false);
    options.set_dot_nl(false);
    options.set_never_nl(false);
    options.set_case_sensitive(true);
    options.set_literal(false);
    options.set_log_errors(false);  // the error goes to the operator, in the matcher's message
    return options;
}

// The one escape RE2 takes that Go's regexp refuses: \C (any byte), which could also cut a
// UTF-8 character in two. \Q...\E quotes text, where a backslash is literal.
bool has_any_byte_escape(std::string_view re) {
    for (size_t i = 0; i + 1 < re.size(); ++i) {
        if (re[i] != '\\') continue;
        if (re[i + 1] == 'Q') {
            const size_t end = re.find("\\E", i + 2);
            if (end == std::string_view::npos) return false;
            i = end + 1;
            continue;
        }
        if (re[i + 1] == 'C') return true;
        ++i;
    }
    return false;
}

[[noreturn]] void bad_regex(const Matcher& m, const std::string& why) {
    throw MatcherError(
        "invalid regular expression \"" + m.value + "\" for label '" + m.name + "': " + why, 0);
}

}  // namespace

bool is_matcher_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool is_matcher_name_char(char c) { return is_matcher_name_start(c) || (c >= '0' && c <= '9'); }

std::string_view to_string(Matcher::Op op) {
    switch (op) {
        case Matcher::Op::Equal:
            return "=";
        case Matcher::Op::NotEqual:
            return "!=";
        case Matcher::Op::RegexMatch:
            return "=~";
        case Matcher::Op::RegexNoMatch:
            return "!~";
    }
    return "?";
}

Matcher Matcher::make(std::string name, Op op, std::string value) {
    bool valid_name = !name.empty() && is_matcher_name_start(name[0]);
    for (char c : name) valid_name = valid_name && is_matcher_name_char(c);
    if (!valid_name) throw MatcherError("invalid label name '" + name + "'", 0);
    Matcher m;
    m.name = std::move(name);
    m.op = op;
    m.value = std::move(value);
    if (op == Op::RegexMatch || op == Op::RegexNoMatch) {
        if (has_any_byte_escape(m.value))
            bad_regex(m, "\\C (any byte) is not supported, as in Alertmanager");
        auto re = std::make_shared<const RE2>("^(?:" + m.value + ")$", go_regexp_options());
        if (!re->ok()) bad_regex(m, re->error());
        m.regex = std::move(re);
    }
    return m;
}

Matcher Matcher::parse(std::string_view text) {
    std::vector<Matcher> list = parse_matchers(text);
    if (list.size() != 1) {
        throw MatcherError("invalid matcher '" + std::string(text) +
                               "': expected one matcher, found " + std::to_string(list.size()),
                           0);
    }
    return std::move(list.front());
}

bool Matcher::matches(const Labels& labels) const {
    static const std::string kEmpty;
    auto it = labels.find(name);
    const std::string& v = it == labels.end() ? kEmpty : it->second;
    switch (op) {
        case Op::Equal:
            return v == value;
        case Op::NotEqual:
            return v != value;
        case Op::RegexMatch:
            return RE2::PartialMatch(v, *regex);
        case Op::RegexNoMatch:
            return !RE2::PartialMatch(v, *regex);
    }
    return false;
}

std::string Matcher::to_string() const {
    std::string out = name;
    out += tg::host::to_string(op);
    out += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

}  // namespace tg::host
