#include <catch2/catch.hpp>

#include "time/duration.hpp"

using namespace tg::common;
using std::chrono::milliseconds;

TEST_CASE("durations parse in Prometheus style", "[duration]") {
    CHECK(parse_duration("500ms") == milliseconds{500});
    CHECK(parse_duration("30s") == milliseconds{30000});
    CHECK(parse_duration("5m") == milliseconds{300000});
    CHECK(parse_duration("1h30m") == milliseconds{5400000});
    CHECK(parse_duration("7d") == milliseconds{7LL * 24 * 3600 * 1000});
    CHECK(parse_duration("2w") == milliseconds{14LL * 24 * 3600 * 1000});
    CHECK(parse_duration("1y") == milliseconds{365LL * 24 * 3600 * 1000});
    CHECK(parse_duration("1m500ms") == milliseconds{60500});
    CHECK(parse_duration("1h1m1s1ms") == milliseconds{3661001});
    CHECK(parse_duration("0") == milliseconds{0});
    CHECK(parse_duration("0s") == milliseconds{0});
}

TEST_CASE("bad durations throw", "[duration]") {
    for (const char* bad : {"", "abc", "5", "5 m", "-5s", "1.5h", "30m1h", "1h1h", "5x", "m",
                            "1h30", "99999999999999999999y", "300000000y"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_duration(bad), std::invalid_argument);
    }
    CHECK_THROWS_WITH(parse_duration("abc"), Catch::Contains("invalid duration \"abc\""));
}

// The plugin's parser multiplied without a check (undefined behaviour); one parser now serves both.
TEST_CASE("durations past 64 bits of milliseconds are a clean error", "[duration]") {
    CHECK_THROWS_WITH(parse_duration("999999999999d"),
                      Catch::Equals("invalid duration \"999999999999d\": too large"));
    CHECK_THROWS_WITH(parse_duration("300000000y"), Catch::Contains("too large"));
    CHECK(parse_duration("9223372036854775s807ms") == milliseconds::max());
    CHECK_THROWS_WITH(parse_duration("9223372036854775s808ms"), Catch::Contains("too large"));
    CHECK(parse_duration("9223372036854775807ms") == milliseconds::max());
    CHECK_THROWS_WITH(parse_duration("9223372036854775808ms"), Catch::Contains("too large"));
}

TEST_CASE("durations format back", "[duration]") {
    CHECK(format_duration(milliseconds{5400000}) == "1h30m");
    CHECK(format_duration(milliseconds{0}) == "0s");
    CHECK(format_duration(milliseconds{1500}) == "1s500ms");
    CHECK(format_duration(milliseconds{8LL * 24 * 3600 * 1000}) == "8d");
}
