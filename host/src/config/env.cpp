#include "config/env.hpp"

#include <stdexcept>
#include <utility>

#include "config/config_error.hpp"
#include "system/file_read.hpp"

extern char** environ;

namespace tg::host {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool valid_name(std::string_view s) {
    if (s.empty() || !is_name_start(s[0])) return false;
    for (char c : s) {
        if (!is_name_char(c)) return false;
    }
    return true;
}

// After a closing quote: only blanks, optionally followed by a # comment.
bool only_comment_left(std::string_view rest) {
    size_t i = 0;
    while (i < rest.size() && is_blank(rest[i])) ++i;
    return i == rest.size() || rest[i] == '#';
}

size_t skip_blanks(std::string_view line, size_t i) {
    while (i < line.size() && is_blank(line[i])) ++i;
    return i;
}

// One line of an environment file, for its errors.
struct EnvLine {
    std::string_view text;  // without the line end
    const std::string& file_name;
    int number;

    [[noreturn]] void fail(const std::string& key, const std::string& why) const {
        throw ConfigError(file_name, number, key, why);
    }
};

// The character that backslash + `e` stands for in a double-quoted value; other escapes stay
// as they are written.
void append_escaped(std::string& value, char e) {
    switch (e) {
        case '"':
        case '\\':
        case '$':
            value += e;
            break;
        case 'n':
            value += '\n';
            break;
        case 't':
            value += '\t';
            break;
        case 'r':
            value += '\r';
            break;
        default:
            value += '\\';
            value += e;
    }
}

// "VALUE" with its escapes; `i` is at the opening quote.
std::string double_quoted_value(const EnvLine& env_line, size_t i, const std::string& key) {
    const std::string_view line = env_line.text;
    std::string value;
    ++i;
    bool closed = false;
    while (i < line.size()) {
        char c = line[i];
        if (c == '"') {
            closed = true;
            ++i;
            break;
        }
        if (c == '\\' && i + 1 < line.size()) {
            append_escaped(value, line[i + 1]);
            i += 2;
            continue;
        }
        value += c;
        ++i;
    }
    if (!closed) env_line.fail(key, "malformed line: missing closing double quote");
    if (!only_comment_left(line.substr(i))) {
        env_line.fail(key, "malformed line: unexpected text after the closing double quote");
    }
    return value;
}

// 'VALUE', taken as it is; `i` is at the opening quote.
std::string single_quoted_value(const EnvLine& env_line, size_t i, const std::string& key) {
    const std::string_view line = env_line.text;
    size_t close = line.find('\'', i + 1);
    if (close == std::string_view::npos) {
        env_line.fail(key, "malformed line: missing closing single quote");
    }
    if (!only_comment_left(line.substr(close + 1))) {
        env_line.fail(key, "malformed line: unexpected text after the closing single quote");
    }
    return std::string(line.substr(i + 1, close - i - 1));
}

// The rest of the line, trimmed; " #" (blank then #) starts a comment.
std::string unquoted_value(std::string_view v) {
    for (size_t k = 1; k < v.size(); ++k) {
        if (v[k] == '#' && is_blank(v[k - 1])) {
            v = v.substr(0, k);
            break;
        }
    }
    while (!v.empty() && is_blank(v.back())) v.remove_suffix(1);
    return std::string(v);
}

// [export ]KEY=VALUE; nullopt for a blank line or a comment.
std::optional<std::pair<std::string, std::string>> parse_env_line(const EnvLine& env_line) {
    const std::string_view line = env_line.text;
    size_t i = skip_blanks(line, 0);
    if (i == line.size() || line[i] == '#') return std::nullopt;
    if (line.substr(i).starts_with("export") && i + 6 < line.size() && is_blank(line[i + 6])) {
        i = skip_blanks(line, i + 6);
    }
    size_t key_start = i;
    while (i < line.size() && is_name_char(line[i])) ++i;
    std::string key(line.substr(key_start, i - key_start));
    if (key.empty() || !is_name_start(key[0])) {
        env_line.fail(
            "", "malformed line: expected KEY=value with KEY matching [A-Za-z_][A-Za-z0-9_]*");
    }
    i = skip_blanks(line, i);
    if (i == line.size() || line[i] != '=') {
        env_line.fail(key, "malformed line: expected '=' after the variable name");
    }
    i = skip_blanks(line, i + 1);
    std::string value;
    if (i < line.size() && line[i] == '"')
        value = double_quoted_value(env_line, i, key);
    else if (i < line.size() && line[i] == '\'')
        value = single_quoted_value(env_line, i, key);
    else
        value = unquoted_value(line.substr(i));
    return std::pair{std::move(key), std::move(value)};
}

}  // namespace

Environment Environment::from_process() {
    Environment env;
    for (char** p = environ; p != nullptr && *p != nullptr; ++p) {
        std::string_view entry(*p);
        size_t eq = entry.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        env.process_vars_.emplace(std::string(entry.substr(0, eq)),
                                  std::string(entry.substr(eq + 1)));
    }
    return env;
}

void Environment::load_env_file(const std::string& path) {
    const auto file = common::read_whole_file(path);
    if (!file.content)
        throw ConfigError(path, 0, "", "cannot read the environment file: " + file.error);
    load_env_text(*file.content, path);
}

void Environment::load_env_text(std::string_view text, const std::string& file_name) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::map<std::string, std::string> parsed;
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (auto entry = parse_env_line({line, file_name, line_no}))
            parsed[entry->first] = std::move(entry->second);
    }
    // All or nothing: a malformed file changes nothing.
    for (auto& [k, v] : parsed) file_vars_[k] = std::move(v);
}

void Environment::set(const std::string& name, std::string value) {
    file_vars_[name] = std::move(value);
}

std::optional<std::string> Environment::get(const std::string& name) const {
    if (auto it = file_vars_.find(name); it != file_vars_.end()) return it->second;
    if (auto it = process_vars_.find(name); it != process_vars_.end()) return it->second;
    return std::nullopt;
}

std::string Environment::expand(std::string_view text) const {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c != '$' || i + 1 >= text.size()) {
            out += c;
            ++i;
            continue;
        }
        if (text[i + 1] == '$') {
            out += '$';
            i += 2;
            continue;
        }
        if (text[i + 1] != '{') {
            out += c;
            ++i;
            continue;
        }
        // ${NAME} or ${NAME:-default}; the default may contain nested ${...}.
        size_t j = i + 2;
        int depth = 1;
        while (j < text.size()) {
            if (text[j] == '$' && j + 1 < text.size() && text[j + 1] == '$') {
                j += 2;
                continue;
            }
            if (text[j] == '$' && j + 1 < text.size() && text[j + 1] == '{') {
                ++depth;
                j += 2;
                continue;
            }
            if (text[j] == '}' && --depth == 0) break;
            ++j;
        }
        if (j >= text.size()) {
            throw std::invalid_argument("unterminated \"${\" in \"" + std::string(text) + "\"");
        }
        std::string_view inner = text.substr(i + 2, j - i - 2);
        std::string_view name = inner;
        std::optional<std::string_view> fallback;
        if (size_t sep = inner.find(":-"); sep != std::string_view::npos) {
            name = inner.substr(0, sep);
            fallback = inner.substr(sep + 2);
        }
        if (!valid_name(name)) {
            throw std::invalid_argument("invalid variable name \"" + std::string(name) +
                                        "\" in ${...} (expected [A-Za-z_][A-Za-z0-9_]*)");
        }
        std::optional<std::string> v = get(std::string(name));
        if (fallback && (!v || v->empty())) {
            out += expand(*fallback);
        } else if (v) {
            out += *v;
        } else {
            throw std::invalid_argument("environment variable " + std::string(name) +
                                        " is not set (write ${" + std::string(name) +
                                        ":-default} for a default)");
        }
        i = j + 1;
    }
    return out;
}

}  // namespace tg::host
