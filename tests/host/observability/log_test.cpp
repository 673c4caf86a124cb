#include "observability/log.hpp"

#include <catch2/catch.hpp>

using tg::host::log::quote;

TEST_CASE("log lines: quote() escapes CR, ESC and every other control character") {
    CHECK(quote("plain") == "plain");
    CHECK(quote("two words") == "\"two words\"");
    CHECK(quote("a\"b\\c") == R"("a\"b\\c")");
    CHECK(quote("line\nforged") == R"("line\nforged")");
    // A CR would let a value overwrite the start of the line on a terminal, or forge a record.
    CHECK(quote("ok\rlevel=error msg=forged") == R"("ok\rlevel=error msg=forged")");
    CHECK(quote("tab\there") == R"("tab\there")");
    CHECK(quote("\x1b[31mred") == R"("\u001b[31mred")");
    CHECK(quote(std::string("nul\0byte", 8)) == R"("nul\u0000byte")");
    CHECK(quote("del\x7f") == R"("del\u007f")");
    CHECK(quote("csi\xc2\x9b"
                "31m") == R"("csi\u009b31m")");  // C1 CSI, U+009B
    // Text, Japanese included, is kept as it is.
    CHECK(quote("CPU使用率") == "CPU使用率");
    CHECK(quote("é") == "é");
    for (int c = 0; c < 0x20; ++c) {
        const std::string value = "x" + std::string(1, static_cast<char>(c)) + "y";
        const std::string quoted = quote(value);
        INFO("control character " << c);
        for (char q : quoted) CHECK(static_cast<unsigned char>(q) >= 0x20);
    }
}
