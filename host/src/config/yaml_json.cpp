#include "config/yaml_json.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

#include "config/config_error.hpp"

namespace tg::host {

namespace {

int line_of(const YAML::Node& node) {
    const YAML::Mark m = node.Mark();
    return m.line >= 0 ? m.line + 1 : 0;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!pred(c)) return false;
    }
    return true;
}
bool is_dec(char c) { return c >= '0' && c <= '9'; }
bool is_oct(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::optional<std::string> int_json(std::string_view digits, int base, bool negative) {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
    if (negative) {
        if (v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
        if (v == 0) return "0";
        return "-" + std::to_string(v);
    }
    return std::to_string(v);
}

void convert(const YAML::Node& node, const Environment& env, const std::string& file,
             const std::string& path, std::string& out) {
    switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            out += "null";
            return;
        case YAML::NodeType::Scalar: {
            std::string value;
            try {
                value = env.expand(node.Scalar());
            } catch (const std::invalid_argument& e) {
                throw ConfigError(file, line_of(node), path, e.what());
            }
            const std::string& tag = node.Tag();
            if (tag == "!" || tag == "tag:yaml.org,2002:str") {
                out += json_quote(value);
                return;
            }
            if (auto typed = plain_scalar_json(value)) {
                out += *typed;
            } else {
                out += json_quote(value);
            }
            return;
        }
        case YAML::NodeType::Sequence: {
            out += '[';
            size_t i = 0;
            for (const YAML::Node& item : node) {
                if (i > 0) out += ',';
                convert(item, env, file, path + "[" + std::to_string(i) + "]", out);
                ++i;
            }
            out += ']';
            return;
        }
        case YAML::NodeType::Map: {
            out += '{';
            std::set<std::string> seen;
            bool first = true;
            for (const auto& kv : node) {
                if (!kv.first.IsScalar()) {
                    throw ConfigError(file, line_of(kv.first), path,
                                      "map keys must be plain strings");
                }
                const std::string& key = kv.first.Scalar();
                const std::string child = path.empty() ? key : path + "." + key;
                if (!seen.insert(key).second) {
                    throw ConfigError(file, line_of(kv.first), child, "duplicate key");
                }
                if (!first) out += ',';
                first = false;
                out += json_quote(key);
                out += ':';
                convert(kv.second, env, file, child, out);
            }
            out += '}';
            return;
        }
    }
}

}  // namespace

std::optional<std::string> plain_scalar_json(std::string_view s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return "null";
    if (s == "true" || s == "True" || s == "TRUE") return "true";
    if (s == "false" || s == "False" || s == "FALSE") return "false";
    if (s.starts_with("0o") && all_of(s.substr(2), is_oct)) return int_json(s.substr(2), 8, false);
    if (s.starts_with("0x") && all_of(s.substr(2), is_hex)) return int_json(s.substr(2), 16, false);
    bool negative = false;
    std::string_view body = s;
    if (body[0] == '-' || body[0] == '+') {
        negative = body[0] == '-';
        body.remove_prefix(1);
    }
    if (all_of(body, is_dec)) return int_json(body, 10, negative);
    static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
    if (std::regex_match(s.begin(), s.end(), kFloat)) {
        std::string text(s[0] == '+' ? s.substr(1) : s);
        double d = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;  // overflow
        char buf[64];
        auto [end, ec2] = std::to_chars(buf, buf + sizeof buf, d);
        if (ec2 != std::errc()) return std::nullopt;
        std::string r(buf, end);
        // to_chars may print "1e+300" (fine in JSON) or "inf" (not produced: from_chars failed).
        return r;
    }
    return std::nullopt;
}

std::string json_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (char ch : text) {
        unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
    return out;
}

std::string yaml_to_json(const YAML::Node& node, const Environment& env,
                         const std::string& file_name, const std::string& key_path) {
    std::string out;
    convert(node, env, file_name, key_path, out);
    return out;
}

}  // namespace tg::host
