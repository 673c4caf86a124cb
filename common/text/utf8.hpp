// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <string_view>

namespace tg::common {

struct Utf8Char {
    char32_t code_point = 0;
    size_t length = 0;  // bytes; 0: no well-formed character starts here
};

// The character that starts at byte `at` of `text` (at < text.size()).
Utf8Char decode_utf8(std::string_view text, size_t at);

// The offset of the first byte that does not start a well-formed character, or npos.
size_t invalid_utf8_at(std::string_view text);

// Characters (code points) in text[0, end), counting an ill-formed byte as one.
size_t utf8_column(std::string_view text, size_t end);

}  // namespace tg::common
