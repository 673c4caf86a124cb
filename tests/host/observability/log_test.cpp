#include "observability/log.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>

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

namespace {

// What `write` printed on stderr while `body` ran.
template <class F>
std::string stderr_of(F body) {
    std::fflush(stderr);
    char path[] = "/tmp/tg-log-test-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(fd, STDERR_FILENO);
    body();
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::string text;
    char buffer[4096];
    ::lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, n);
    ::close(fd);
    ::unlink(path);
    return text;
}

}  // namespace

TEST_CASE(
    "issue 14: every delivery log line carries that delivery's own id, a sink's own lines "
    "during the call too") {
    using namespace tg::host;
    const std::string text = stderr_of([] {
        log::info("before");
        {
            const log::ScopedField in_delivery("delivery", "41");
            log::info("a sink's line", {{"sink", "redmine"}});
            log::info("the host's line", {{"delivery", "41"}, {"attempt", "1"}});
        }
        {
            const log::ScopedField in_delivery("delivery", "42");
            log::info("the next one");
        }
        log::info("after");
    });
    CHECK(text.find("msg=before\n") != std::string::npos);
    CHECK(text.find("msg=\"a sink's line\" sink=redmine delivery=41\n") != std::string::npos);
    // Named by the line itself: once, not twice.
    CHECK(text.find("msg=\"the host's line\" delivery=41 attempt=1\n") != std::string::npos);
    CHECK(text.find("msg=\"the next one\" delivery=42\n") != std::string::npos);
    CHECK(text.find("msg=after\n") != std::string::npos);
}
