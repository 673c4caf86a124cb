// The text form of a delivery's failed attempts (spool/attempt_history.hpp).
#include "spool/attempt_history.hpp"

#include <catch2/catch.hpp>

using namespace tg::host;

TEST_CASE("attempt history: each attempt a line, errors on one line, the last ones kept") {
    std::string history;
    history = append_attempt(history, {1000, 1, "HTTP 503"});
    history = append_attempt(history, {2000, 2, "a\tb\nc\r"});
    auto read = read_attempts(history);
    REQUIRE(read.size() == 2);
    CHECK(read[0].at_ms == 1000);
    CHECK(read[0].number == 1);
    CHECK(read[0].error == "HTTP 503");
    CHECK(read[1].error == "a b c ");
    for (uint32_t n = 3; n <= 30; ++n) history = append_attempt(history, {n * 1000, n, "e"});
    read = read_attempts(history);
    REQUIRE(read.size() == kAttemptsKept);
    CHECK(read.front().number == 30 - kAttemptsKept + 1);
    CHECK(read.back().number == 30);
    CHECK(read_attempts("").empty());
    CHECK(read_attempts("garbage\n12\tx\ty\n5\t1\tok\n").size() == 1);  // unreadable lines skipped
}
