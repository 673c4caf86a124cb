#include "markup_guard.hpp"

#include <cctype>

namespace tg::redmine {

namespace {

bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string reference(char c) { return "&#" + std::to_string(static_cast<int>(c)) + ";"; }

// A link destination starting at `at`: <...> or up to a blank or a closing parenthesis.
std::string_view destination(std::string_view text, size_t at) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
    if (at < text.size() && text[at] == '<') {
        const size_t end = text.find('>', at);
        return text.substr(at + 1, end == std::string_view::npos ? end : end - at - 1);
    }
    size_t end = at;
    while (end < text.size() && !space(text[end]) && text[end] != ')') ++end;
    return text.substr(at, end - at);
}

// `&name;` or `&#N;`: CommonMark decodes them into the characters this guard breaks.
bool starts_reference(std::string_view text, size_t at) {
    size_t i = at + 1;
    if (i < text.size() && text[i] == '#') ++i;
    const size_t first = i;
    while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
    return i > first && i < text.size() && text[i] == ';';
}

// `scheme://` ending at `colon`, for a scheme other than http(s).
bool other_scheme(std::string_view text, size_t colon) {
    if (text.compare(colon, 3, "://") != 0) return false;
    size_t start = colon;
    while (start > 0 &&
           (std::isalnum(static_cast<unsigned char>(text[start - 1])) || text[start - 1] == '+' ||
            text[start - 1] == '.' || text[start - 1] == '-'))
        --start;
    if (start == colon) return false;
    const std::string scheme = lower(text.substr(start, colon - start));
    return scheme != "http" && scheme != "https";
}

// `[label]: dest` at the start of a line (a reference definition), with its destination.
bool reference_definition(std::string_view text, size_t at, std::string_view& dest) {
    size_t line = at;
    while (line > 0 && text[line - 1] == ' ') --line;
    if ((line > 0 && text[line - 1] != '\n') || at - line > 3) return false;
    const size_t close = text.find("]:", at);
    const size_t eol = text.find('\n', at);
    if (close == std::string_view::npos || (eol != std::string_view::npos && close > eol))
        return false;
    dest = destination(text, close + 2);
    return true;
}

}  // namespace

bool is_web_url(std::string_view url) {
    const std::string l = lower(url.substr(0, 8));
    const size_t after = l.rfind("http://", 0) == 0 ? 7 : l.rfind("https://", 0) == 0 ? 8 : 0;
    return after != 0 && url.size() > after && !space(url[after]) && url[after] != '/';
}

std::string guard_prose(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        std::string_view dest;
        if ((c == '{' && next == '{') || (c == '[' && next == '[')) {
            out += c;
            out += kWordJoiner;  // {{macro}}, [[Wiki page]]
        } else if (c == '[' && reference_definition(text, i, dest) && !is_web_url(dest)) {
            out += reference(c);
        } else if (c == ']' && next == '(' && !is_web_url(destination(text, i + 2))) {
            out += "]" + reference('(');  // [text](javascript:...) stays text
            ++i;
        } else if (c == '!' && next != '\0' && !space(next)) {
            out += reference(c);  // !image.png!, ![alt](url)
        } else if (c == '<' && (alpha(next) || next == '/' || next == '!' || next == '?')) {
            out += reference(c);  // <img>, <!-- -->, <mailto:...>
        } else if (c == '@') {
            out += std::string(kWordJoiner) + reference(c);
        } else if (c == '&' && starts_reference(text, i)) {
            out += reference(c);
        } else if (c == ':' && ((i > 0 && text[i - 1] == '"' && next != '\0' && !space(next) &&
                                 !is_web_url(destination(text, i + 1))) ||
                                other_scheme(text, i))) {
            out += reference(c);  // "text":dest (textile), ftp://host
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace tg::redmine
