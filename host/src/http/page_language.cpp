#include "http/page_language.hpp"

#include <cctype>
#include <cstdlib>
#include <string_view>

namespace tg::host {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The q of one "tag;q=0.8" item: 1 without one, 0 for a malformed one.
double quality(std::string_view parameters) {
    while (!parameters.empty()) {
        const size_t semicolon = parameters.find(';');
        const std::string_view parameter = trim(parameters.substr(0, semicolon));
        if (parameter.size() > 2 && (parameter[0] == 'q' || parameter[0] == 'Q') &&
            parameter[1] == '=') {
            const std::string value(parameter.substr(2));
            char* end = nullptr;
            const double q = std::strtod(value.c_str(), &end);
            return end && *end == '\0' && q >= 0 && q <= 1 ? q : 0;
        }
        if (semicolon == std::string_view::npos) break;
        parameters.remove_prefix(semicolon + 1);
    }
    return 1;
}

// "ja", "ja-JP", "EN-us" → the primary subtag in lower case.
std::string primary(std::string_view tag) {
    std::string out;
    for (const char c : tag) {
        if (c == '-' || c == '_') break;
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

PageLanguage page_language(const std::string& accept_language) {
    std::string_view rest = accept_language;
    PageLanguage best = PageLanguage::en;
    double best_q = 0;
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        const size_t semicolon = item.find(';');
        const std::string tag = primary(trim(item.substr(0, semicolon)));
        const double q =
            semicolon == std::string_view::npos ? 1 : quality(item.substr(semicolon + 1));
        if ((tag == "ja" || tag == "en") && q > best_q) {
            best = tag == "ja" ? PageLanguage::ja : PageLanguage::en;
            best_q = q;
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return best;
}

}  // namespace tg::host
