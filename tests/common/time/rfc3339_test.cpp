#include <catch2/catch.hpp>

#include "time/rfc3339.hpp"

#include <date/date.h>

using namespace tg::common;
using Catch::Contains;

namespace {
std::string utc(std::string_view text) { return date::format("%FT%TZ", *parse_rfc3339(text)); }
}  // namespace

TEST_CASE("RFC 3339 times read as Alertmanager writes them", "[rfc3339]") {
    CHECK(utc("2026-11-27T07:51:27Z") == "2026-11-27T07:51:27.000000000Z");
    CHECK(utc("2026-11-27T16:51:27.70064839+09:00") == "2026-11-27T07:51:27.700648390Z");
    CHECK(utc("2026-11-27T07:51:27-05:30") == "2026-11-27T13:21:27.000000000Z");
    CHECK(utc("2026-11-27t07:51:27.1z") == "2026-11-27T07:51:27.100000000Z");
    CHECK(utc("2026-11-27 07:51:27.123456789Z") == "2026-11-27T07:51:27.123456789Z");
    CHECK(utc("2026-11-27T07:51:27.1234567891Z") == "2026-11-27T07:51:27.123456789Z");
    CHECK(utc("2016-12-31T23:59:60Z") == "2017-01-01T00:00:00.000000000Z");  // a leap second
    CHECK(utc("2024-02-29T00:00:00Z") == "2024-02-29T00:00:00.000000000Z");
    // Go's zero time: "not set" (Alertmanager's endsAt of a firing alert).
    CHECK_FALSE(parse_rfc3339("0001-01-01T00:00:00Z").has_value());
}

// The host's check (a regex) let through what the sink's parser then refused: the alert was lost
// after the 200. One reading serves both now.
TEST_CASE("times that do not exist or do not fit are refused, saying why", "[rfc3339]") {
    const std::pair<const char*, const char*> bad[] = {
        {"yesterday", "a digit expected"},
        {"", "cut short"},
        {"2026-11-27", "'T' expected"},
        {"2026-11-27T07:51:27", "'Z' or an offset expected"},
        {"2026-11-27T07:51:27.Z", "digits expected after '.'"},
        {"2026-11-27T07:51:27+0900", "':' in the offset expected"},
        {"2026-11-27T07:51:27+24:00", "no such offset"},
        {"2026-11-27T07:51:27Z ", "text after the time"},
        {"2026-13-01T00:00:00Z", "no such date or time"},
        {"2025-02-29T00:00:00Z", "no such date or time"},
        {"2026-11-27T24:00:00Z", "no such date or time"},
        {"2026-11-27T07:60:00Z", "no such date or time"},
        {"2300-01-01T00:00:00Z", "year out of range"},
        {"1677-01-01T00:00:00Z", "year out of range"},
    };
    for (const auto& [text, why] : bad) {
        INFO(text);
        CHECK_THROWS_WITH(parse_rfc3339(text),
                          Contains(std::string("bad RFC 3339 time \"") + text + "\": " + why));
    }
    CHECK_THROWS_WITH(parse_rfc3339(std::string(100, '9')), Contains(std::string(64, '9') + "\":"));
}
