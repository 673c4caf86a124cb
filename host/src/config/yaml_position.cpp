#include "config/yaml_position.hpp"

#include "text/utf8.hpp"

namespace tg::host {

int scalar_char_column(std::string_view file_text, const YAML::Mark& mark, std::string_view scalar,
                       size_t char_column) {
    if (mark.line < 0 || mark.column < 0 || char_column == 0) return 0;
    // The line the value starts on.
    size_t begin = 0;
    for (int line = 0; line < mark.line; ++line) {
        begin = file_text.find('\n', begin);
        if (begin == std::string_view::npos) return 0;
        ++begin;
    }
    const std::string_view line = file_text.substr(begin, file_text.find('\n', begin) - begin);
    // The bytes of the scalar before the character, which must stand there as they are.
    size_t prefix = 0;
    for (size_t c = 1; c < char_column && prefix < scalar.size(); ++c) {
        const common::Utf8Char ch = common::decode_utf8(scalar, prefix);
        prefix += ch.length == 0 ? 1 : ch.length;
    }
    auto start = static_cast<size_t>(mark.column);
    if (start < line.size() && (line[start] == '"' || line[start] == '\'')) ++start;  // quoted
    if (start > line.size() || line.substr(start, prefix) != scalar.substr(0, prefix)) return 0;
    return static_cast<int>(common::utf8_column(line, start + prefix)) + 1;
}

}  // namespace tg::host
