#include "webhook/json_text.hpp"

#include <Poco/JSON/Stringifier.h>
#include <Poco/JSONString.h>

#include <sstream>

namespace tg::host {

void append_json_string(std::string& out, std::string_view value) {
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || c == '"' || c == '\\') {  // the rare case: Poco's own escaping
            out += Poco::toJSON(std::string(value), Poco::JSON_WRAP_STRINGS);
            return;
        }
    }
    out += '"';
    out.append(value);
    out += '"';
}

std::string json_string(std::string_view value) {
    std::string out;
    append_json_string(out, value);
    return out;
}

std::string json_scalar(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value, out, 0, -1, Poco::JSON_WRAP_STRINGS);
    return out.str();
}

size_t forbidden_control_at(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 && c != '\t' && c != '\n') return i;
    }
    return std::string_view::npos;
}

}  // namespace tg::host
