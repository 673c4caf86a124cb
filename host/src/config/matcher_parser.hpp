// The text of Alertmanager matchers, as a routing file writes them:
//     severity="critical"      alertname=~"Disk.*", instance!=web01      {team="db", env!~"dev|qa"}
#pragma once

#include "config/matcher.hpp"

#include <string_view>
#include <vector>

namespace tg::host {

// A comma-separated list of matchers, optionally in braces, with one trailing comma allowed: what
// Alertmanager's config takes in one `matchers:` item. Alertmanager has two parsers: the classic
// one (0.25, Debian 12's) and the UTF-8 one (0.27+, where the classic one is a fallback until it
// is removed). A matcher is accepted only where both accept it and read it alike:
//  - NAME OP VALUE, blanks (space, tab, CR, LF, FF) around each;
//  - NAME: [a-zA-Z_:][a-zA-Z0-9_:]* (no quoted or UTF-8 names: the classic parser has none);
//  - OP: = != =~ !~ (`==` is no operator: refused, where the classic parser read "= critical");
//  - VALUE: "double-quoted" with the escapes \" \\ \n only (any other, such as \t or \d, means
//    one thing to one parser and another to the other), no line break inside; or unquoted: one or
//    more characters that are none of blank, Unicode space, { } ! = ~ , \ " ' `
//    (`team=` is refused: write team="").
// Throws MatcherError naming the column of the first problem.
std::vector<Matcher> parse_matchers(std::string_view text);

}  // namespace tg::host
