#include "text/utf8.hpp"

namespace tg::common {

Utf8Char decode_utf8(std::string_view text, size_t at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80) return {lead, 1};
    size_t length = 0;
    char32_t code = 0;
    unsigned char min_second = 0x80, max_second = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        code = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        code = lead & 0x0F;
        if (lead == 0xE0) min_second = 0xA0;  // overlong
        if (lead == 0xED) max_second = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        code = lead & 0x07;
        if (lead == 0xF0) min_second = 0x90;  // overlong
        if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
    } else {
        return {};
    }
    if (text.size() - at < length) return {};
    for (size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[at + k]);
        if (next < (k == 1 ? min_second : 0x80) || next > (k == 1 ? max_second : 0xBF)) return {};
        code = (code << 6) | (next & 0x3F);
    }
    return {code, length};
}

size_t invalid_utf8_at(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const Utf8Char c = decode_utf8(text, i);
        if (c.length == 0) return i;
        i += c.length;
    }
    return std::string_view::npos;
}

size_t utf8_column(std::string_view text, size_t end) {
    size_t column = 0;
    for (size_t i = 0; i < end && i < text.size(); ++column) {
        const Utf8Char c = decode_utf8(text, i);
        i += c.length == 0 ? 1 : c.length;
    }
    return column;
}

}  // namespace tg::common
