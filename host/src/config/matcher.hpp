// One Alertmanager label matcher: `alertname = "Foo"`, `severity=~"crit.*"`, `instance!=web01`.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace tg::host {

using Labels = std::map<std::string, std::string>;

// A refused matcher; `column` (1-based, in characters of the matcher's text; 0 = the whole text)
// is where the problem starts, for the routing file's line:column.
struct MatcherError : std::invalid_argument {
    MatcherError(const std::string& message, size_t column_)
        : std::invalid_argument(message), column(column_) {}
    size_t column;
};

struct Matcher {
    enum class Op { Equal, NotEqual, RegexMatch, RegexNoMatch };

    std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*
    Op op = Op::Equal;
    std::string value;  // unquoted, unescaped
    // For RegexMatch/RegexNoMatch: Google RE2 with Go's regexp settings, compiled from
    // "^(?:value)$" exactly as Alertmanager compiles it, so it matches the WHOLE label value and
    // means what it means in Alertmanager. Shared: copies of a Matcher are cheap and RE2 is
    // immutable and thread-safe.
    std::shared_ptr<const re2::RE2> regex;

    // Alertmanager's matcher syntax (see matcher_parser.hpp), exactly one matcher. Throws
    // MatcherError on bad syntax, a bad label name or a bad regex.
    static Matcher parse(std::string_view text);
    // Builds one directly; throws MatcherError (column 0) like parse().
    static Matcher make(std::string name, Op op, std::string value);

    // A missing label matches as the empty string (as in Alertmanager).
    bool matches(const Labels& labels) const;

    // `name="value"`, `name=~"regex"`, ... (always quoted, escaped); parse(to_string())
    // round-trips.
    std::string to_string() const;
};

std::string_view to_string(Matcher::Op op);

// The label names a matcher takes, as Alertmanager's classic parser: [a-zA-Z_:][a-zA-Z0-9_:]*.
bool is_matcher_name_start(char c);
bool is_matcher_name_char(char c);

}  // namespace tg::host
