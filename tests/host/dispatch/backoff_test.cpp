#include "dispatch/backoff.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using tg::host::retry_delay;

TEST_CASE("backoff doubles from the initial delay up to the cap, jittered within [d/2, d]") {
    CHECK(retry_delay(1, 1000ms, 60000ms, 1.0) == 1000ms);
    CHECK(retry_delay(1, 1000ms, 60000ms, 0.0) == 500ms);
    CHECK(retry_delay(3, 1000ms, 60000ms, 1.0) == 4000ms);
    CHECK(retry_delay(30, 1000ms, 60000ms, 1.0) == 60000ms);
    CHECK(retry_delay(1000, 1000ms, 60000ms, 0.0) == 30000ms);
}
