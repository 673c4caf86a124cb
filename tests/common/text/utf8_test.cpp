#include <catch2/catch.hpp>

#include "text/utf8.hpp"

using namespace tg::common;

TEST_CASE("UTF-8 decodes as RFC 3629 defines it", "[utf8]") {
    CHECK(decode_utf8("a", 0).code_point == U'a');
    CHECK(decode_utf8("é", 0).code_point == U'é');
    CHECK(decode_utf8("é", 0).length == 2);
    CHECK(decode_utf8("あ", 0).code_point == U'あ');
    CHECK(decode_utf8("\u3000", 0).code_point == U'\u3000');
    CHECK(decode_utf8("🙂", 0).code_point == U'🙂');
    CHECK(decode_utf8("🙂", 0).length == 4);
    // Refused: a lone continuation byte, overlong forms, a surrogate, above U+10FFFF, cut short.
    for (std::string_view bad : {"\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                                 "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xE3\x81", "\xFF"}) {
        INFO(bad.size());
        CHECK(decode_utf8(bad, 0).length == 0);
    }
    CHECK(invalid_utf8_at("日本語") == std::string_view::npos);
    CHECK(invalid_utf8_at("ok\xE3\x81") == 2);
    CHECK(utf8_column("日本語=x", 9) == 3);  // the "=" is the 4th character
    CHECK(utf8_column("a\xFF"
                      "b",
                      2) == 2);
}
