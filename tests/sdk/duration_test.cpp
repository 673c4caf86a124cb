// tg::parse_duration (the SDK's own, header-only) is the host's parser too (common/time): a sink
// reads its durations exactly as the routing file's retry: and server: settings are read. The
// table pins what it accepts.
#include <tickets_grouping/duration.hpp>

#include "time/duration.hpp"

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

TEST_CASE("the SDK's durations are the host's") {
    // One function: tg::common::parse_duration, the host's and the in-tree sinks' name for it, is
    // a using-declaration of this one (common/time/duration.hpp).
    const char* const valid[] = {"0",
                                 "0s",
                                 "0ms",
                                 "00s",
                                 "01s",
                                 "500ms",
                                 "30s",
                                 "5m",
                                 "1h30m",
                                 "7d",
                                 "2w",
                                 "1y",
                                 "1m500ms",
                                 "1h1m1s1ms",
                                 "1y1w1d1h1m1s1ms",
                                 "1d24h",
                                 "1w8d",
                                 "1h0m",
                                 "90m",
                                 "9223372036854775807ms",
                                 "106751991167d",
                                 "292471208y"};
    const char* const invalid[] = {"",
                                   "5",
                                   "abc",
                                   "m",
                                   "ms",
                                   "5 m",
                                   " 1s",
                                   "1s ",
                                   "-5s",
                                   "+1s",
                                   "1.5h",
                                   "1.0s",
                                   "30m1h",
                                   "1h1h",
                                   "1s1ms1s",
                                   "1ms1s",
                                   "5x",
                                   "1S",
                                   "1H",
                                   "1µs",
                                   "1mm",
                                   "1sms",
                                   "1h30",
                                   "9223372036854775808ms",
                                   "99999999999999999999y",
                                   "300000000y",
                                   "106751991168d",
                                   "9223372036854775807ms1ms",
                                   "1ｓ",
                                   "０s"};
    for (const char* text : valid) {
        INFO("\"" << text << "\"");
        CHECK(milliseconds_or_error(tg::parse_duration, text).has_value());
    }
    for (const char* text : invalid) {
        INFO("\"" << text << "\"");
        CHECK_FALSE(milliseconds_or_error(tg::parse_duration, text).has_value());
    }
    CHECK(tg::parse_duration("9223372036854775807ms").count() == INT64_MAX);
    CHECK(tg::parse_duration("292471208y").count() == 292471208LL * 365 * 24 * 3600 * 1000);
    // The table holds both kinds, and the messages quote the text as the host's do.
    CHECK(tg::parse_duration("1h30m") == std::chrono::minutes(90));
    CHECK_THROWS_WITH(tg::parse_duration("30m1h"),
                      "invalid duration \"30m1h\": units must appear once each, largest first "
                      "(like 1h30m)");
    CHECK_THROWS_WITH(tg::parse_duration(""), "invalid duration \"\": empty");
}
