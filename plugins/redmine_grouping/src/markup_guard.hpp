// Alerts come from whoever can reach Alertmanager or the webhook, so their annotations (and
// labels) may carry markup that acts beyond the text it sits in. guard_prose() keeps the
// author's prose markup (bold, lists, code, http(s) links) and neutralises, for textile,
// CommonMark and format-neutral text alike:
// - Redmine macros ({{include(...)}}, {{collapse}}) and wiki links ([[Page]]);
// - images (textile !url!, CommonMark ![alt](url));
// - raw HTML (<img>, <a>, <notextile>, comments) and <scheme:...> autolinks;
// - links that are not http(s): "text":dest, [text](dest), [label]: dest, ftp://..., mailto;
// - @ mentions (Redmine notifies a mentioned user) and e-mail autolinks;
// - character references that would form any of these in CommonMark's output.
// Each is broken with a numeric character reference (which every formatting shows as the
// character) or a word joiner (U+2060, invisible), so the text still reads as written.
#pragma once

#include <string>
#include <string_view>

namespace tg::redmine {

// `&#8288;`: between two characters it stops Redmine from reading them as one token ([[, {{,
// a mention's leading @) in the HTML a formatter outputs, and shows nothing.
inline constexpr std::string_view kWordJoiner = "&#8288;";

std::string guard_prose(std::string_view text);

// http:// or https:// with a host: the only links the sink writes (or lets through).
bool is_web_url(std::string_view url);

}  // namespace tg::redmine
