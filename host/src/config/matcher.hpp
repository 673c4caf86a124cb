// One Alertmanager label matcher: `alertname = "Foo"`, `severity=~"crit.*"`, `instance!=web01`.
#pragma once

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>

namespace tg::host {

using Labels = std::map<std::string, std::string>;

struct Matcher {
    enum class Op { Equal, NotEqual, RegexMatch, RegexNoMatch };

    std::string name;  // [a-zA-Z_][a-zA-Z0-9_]*
    Op op = Op::Equal;
    std::string value;  // unquoted, unescaped
    // For RegexMatch/RegexNoMatch: ECMAScript, compiled from "(?:value)" and applied with
    // std::regex_match, so it must match the WHOLE label value (Alertmanager anchors it). Shared:
    // copies of a Matcher are cheap and the regex is immutable.
    std::shared_ptr<const std::regex> regex;

    // Alertmanager syntax: NAME OP VALUE with optional spaces around; VALUE either double-quoted
    // (escapes \" \\ \n) or unquoted (the rest, trimmed). Throws std::invalid_argument on bad
    // syntax, a bad label name or a bad regex.
    static Matcher parse(std::string_view text);
    // Builds one directly; throws std::invalid_argument like parse().
    static Matcher make(std::string name, Op op, std::string value);

    // A missing label matches as the empty string (as in Alertmanager).
    bool matches(const Labels& labels) const;

    // `name="value"`, `name=~"regex"`, ... (always quoted, escaped); parse(to_string())
    // round-trips.
    std::string to_string() const;
};

std::string_view to_string(Matcher::Op op);

}  // namespace tg::host
