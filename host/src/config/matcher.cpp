#include "config/matcher.hpp"

#include <stdexcept>

namespace tg::host {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

[[noreturn]] void bad(std::string_view text, const std::string& why) {
    throw std::invalid_argument("invalid matcher '" + std::string(text) + "': " + why);
}

// What std::regex would take but Alertmanager's RE2 refuses, and what makes libstdc++'s regex
// compiler misbehave (found by fuzz/fuzz_matcher): back-references, and repetition counts over
// RE2's 1000 (libstdc++ reads `{99999999999999999999}` or `\99999999999999999999` into a long
// that overflows). Returns why, or "".
std::string regex_problem(const std::string& re) {
    bool in_class = false;
    for (size_t i = 0; i < re.size(); ++i) {
        const char c = re[i];
        if (c == '\\') {
            if (i + 1 < re.size() && re[i + 1] >= '1' && re[i + 1] <= '9')
                return "back-references (\\1...) are not supported, as in Alertmanager";
            ++i;
            continue;
        }
        if (in_class) {
            if (c == ']') in_class = false;
            continue;
        }
        if (c == '[') {
            in_class = true;
            continue;
        }
        if (c != '{') continue;
        // {m}, {m,} or {m,n}: each count read with at most 5 digits.
        for (size_t j = i + 1; j < re.size();) {
            size_t digits = 0;
            long value = 0;
            for (; j < re.size() && re[j] >= '0' && re[j] <= '9' && digits < 5; ++j, ++digits)
                value = value * 10 + (re[j] - '0');
            if (value > 1000 || digits == 5) return "a repetition count over 1000 (RE2's limit)";
            if (j >= re.size() || re[j] != ',') break;
            ++j;
        }
    }
    return "";
}

}  // namespace

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
    if (name.empty() || !is_name_start(name[0])) {
        throw std::invalid_argument("invalid label name '" + name + "'");
    }
    for (char c : name) {
        if (!is_name_char(c)) throw std::invalid_argument("invalid label name '" + name + "'");
    }
    Matcher m;
    m.name = std::move(name);
    m.op = op;
    m.value = std::move(value);
    if (op == Op::RegexMatch || op == Op::RegexNoMatch) {
        if (const std::string problem = regex_problem(m.value); !problem.empty())
            throw std::invalid_argument("invalid regular expression \"" + m.value +
                                        "\" for label '" + m.name + "': " + problem);
        try {
            // __polynomial (libstdc++): the breadth-first executor, whose recursion depth does not
            // grow with the input; the default one recurses per character and overflows the
            // stack on a label value of some 100 KB (and backtracks exponentially). It refuses
            // back-references, which Alertmanager's RE2 does not have either.
            m.regex = std::make_shared<const std::regex>(
                "(?:" + m.value + ")", std::regex::ECMAScript | std::regex_constants::__polynomial);
        } catch (const std::regex_error& e) {
            throw std::invalid_argument("invalid regular expression \"" + m.value +
                                        "\" for label '" + m.name + "': " + e.what());
        }
    }
    return m;
}

Matcher Matcher::parse(std::string_view text) {
    std::string_view s = trim(text);
    size_t i = 0;
    if (s.empty()) bad(text, "empty");
    if (!is_name_start(s[0])) bad(text, "a label name must match [a-zA-Z_][a-zA-Z0-9_]*");
    while (i < s.size() && is_name_char(s[i])) ++i;
    std::string name(s.substr(0, i));
    while (i < s.size() && is_space(s[i])) ++i;
    Op op;
    std::string_view rest = s.substr(i);
    if (rest.starts_with("=~")) {
        op = Op::RegexMatch;
        i += 2;
    } else if (rest.starts_with("!~")) {
        op = Op::RegexNoMatch;
        i += 2;
    } else if (rest.starts_with("!=")) {
        op = Op::NotEqual;
        i += 2;
    } else if (rest.starts_with("=")) {
        op = Op::Equal;
        i += 1;
    } else {
        bad(text, "expected an operator (=, !=, =~, !~) after the label name '" + name + "'");
    }
    std::string_view v = trim(s.substr(i));
    std::string value;
    if (!v.empty() && v.front() == '"') {
        size_t j = 1;
        bool closed = false;
        while (j < v.size()) {
            char c = v[j];
            if (c == '"') {
                closed = true;
                ++j;
                break;
            }
            if (c == '\\') {
                if (j + 1 >= v.size()) bad(text, "unterminated escape sequence");
                char e = v[j + 1];
                if (e == '"' || e == '\\') {
                    value += e;
                } else if (e == 'n') {
                    value += '\n';
                } else {
                    bad(text, std::string("unknown escape sequence \\") + e +
                                  " (use \\\" or \\\\; in a regex write \\\\ for a backslash)");
                }
                j += 2;
                continue;
            }
            value += c;
            ++j;
        }
        if (!closed) bad(text, "missing closing double quote");
        if (j != v.size()) bad(text, "unexpected text after the closing double quote");
    } else {
        value = std::string(v);
    }
    try {
        return make(std::move(name), op, std::move(value));
    } catch (const std::invalid_argument& e) {
        bad(text, e.what());
    }
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
            return std::regex_match(v, *regex);
        case Op::RegexNoMatch:
            return !std::regex_match(v, *regex);
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
