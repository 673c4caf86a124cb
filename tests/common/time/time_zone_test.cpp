#include <catch2/catch.hpp>

#include "time/time_zone.hpp"

using namespace tg::common;

TEST_CASE("time zones come from the OS tz database by IANA name", "[time_zone]") {
    CHECK(find_time_zone("Asia/Tokyo")->name() == "Asia/Tokyo");
    CHECK(find_time_zone("UTC")->name() == "UTC");
    // "" is the machine's zone: a zone in any case, UTC where none is configured.
    CHECK(find_time_zone("") != nullptr);
    CHECK_THROWS_WITH(find_time_zone("Asia/Tokio"),
                      Catch::StartsWith("unknown time zone \"Asia/Tokio\" (use an IANA name"));
    CHECK_THROWS_AS(find_time_zone("Mars/Base"), std::invalid_argument);
}
