// tg::parse_duration (the SDK's own, header-only) and the host's parser agree on every case: a
// sink reads its durations exactly as the routing file's retry: and server: settings are read.
#include <tickets_grouping/duration.hpp>

#include "config/duration.hpp"

#include <catch2/catch.hpp>

#include <optional>

namespace {

template <class Parse>
std::optional<int64_t> milliseconds_or_error(Parse parse, const std::string& text) {
    try {
        return parse(text).count();
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

}  // namespace

TEST_CASE("the SDK's durations agree with the host's") {
    const char* const cases[] = {
        // valid
        "0", "0s", "0ms", "00s", "01s", "500ms", "30s", "5m", "1h30m", "7d", "2w", "1y", "1m500ms",
        "1h1m1s1ms", "1y1w1d1h1m1s1ms", "1d24h", "1w8d", "1h0m", "90m", "9223372036854775807ms",
        "106751991167d", "292471208y",
        // invalid
        "", "5", "abc", "m", "ms", "5 m", " 1s", "1s ", "-5s", "+1s", "1.5h", "1.0s", "30m1h",
        "1h1h", "1s1ms1s", "1ms1s", "5x", "1S", "1H", "1µs", "1mm", "1sms", "1h30",
        "9223372036854775808ms", "99999999999999999999y", "300000000y", "106751991168d",
        "9223372036854775807ms1ms", "1ｓ", "０s"};
    for (const char* text : cases) {
        INFO("\"" << text << "\"");
        const auto sdk = milliseconds_or_error(tg::parse_duration, text);
        const auto host = milliseconds_or_error(tg::host::parse_duration, text);
        CHECK(sdk == host);
    }
    // The table holds both kinds, and the messages quote the text as the host's do.
    CHECK(tg::parse_duration("1h30m") == std::chrono::minutes(90));
    CHECK_THROWS_WITH(tg::parse_duration("30m1h"),
                      "invalid duration \"30m1h\": units must appear once each, largest first "
                      "(like 1h30m)");
    CHECK_THROWS_WITH(tg::parse_duration(""), "invalid duration \"\": empty");
}
