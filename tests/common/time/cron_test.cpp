#include <catch2/catch.hpp>

#include "time/cron.hpp"
#include "time/time_zone.hpp"

using namespace tg::common;
using namespace std::chrono;

namespace {

// A local wall-clock time in `zone` (earliest when ambiguous) as a system time point.
system_clock::time_point local(const date::time_zone* zone, int y, unsigned mo, unsigned d, int h,
                               int mi, int s = 0) {
    auto lt = date::local_days{date::year{y} / mo / d} + hours{h} + minutes{mi} + seconds{s};
    return zone->to_sys(lt, date::choose::earliest);
}

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi) {
    return date::sys_days{date::year{y} / mo / d} + hours{h} + minutes{mi};
}

std::string show(system_clock::time_point t) {
    return date::format("%F %T UTC", date::floor<seconds>(t));
}

}  // namespace

TEST_CASE("cron: fields, lists, ranges, steps", "[cron]") {
    const auto* z = find_time_zone("UTC");
    auto next = [&](const char* spec, system_clock::time_point t) {
        return show(CronSchedule::parse(spec).next_after(t, z));
    };
    CHECK(next("*/15 * * * *", utc(2024, 5, 1, 10, 7)) == "2024-05-01 10:15:00 UTC");
    CHECK(next("*/15 * * * *", utc(2024, 5, 1, 10, 15)) ==
          "2024-05-01 10:30:00 UTC");  // strictly after
    CHECK(next("*/15 * * * *", utc(2024, 5, 1, 10, 15) + seconds{30}) == "2024-05-01 10:30:00 UTC");
    CHECK(next("*/15 * * * *", utc(2024, 5, 1, 10, 14) + seconds{59}) == "2024-05-01 10:15:00 UTC");
    CHECK(next("1-30/5 * * * *", utc(2024, 5, 1, 10, 27)) == "2024-05-01 11:01:00 UTC");
    CHECK(next("1-30/5 * * * *", utc(2024, 5, 1, 10, 7)) == "2024-05-01 10:11:00 UTC");
    CHECK(next("5,10 9-17/4 * * *", utc(2024, 5, 1, 10, 7)) == "2024-05-01 13:05:00 UTC");
    CHECK(next("10/20 * * * *", utc(2024, 5, 1, 10, 31)) == "2024-05-01 10:50:00 UTC");
    CHECK(next("0 0 * * *", utc(2024, 12, 31, 12, 0)) == "2025-01-01 00:00:00 UTC");
    CHECK(next("59 23 31 12 *", utc(2024, 1, 1, 0, 0)) == "2024-12-31 23:59:00 UTC");
    CHECK(show(CronSchedule::parse("0 0 * * *").next_after(utc(2024, 3, 1, 5, 0), nullptr)) ==
          "2024-03-02 00:00:00 UTC");
}

TEST_CASE("cron: month and day names, day 7 is Sunday", "[cron]") {
    const auto* z = find_time_zone("UTC");
    auto next = [&](const char* spec, system_clock::time_point t) {
        return show(CronSchedule::parse(spec).next_after(t, z));
    };
    // 2024-05-01 is a Wednesday.
    CHECK(next("0 9 * * MON-fri", utc(2024, 5, 3, 10, 0)) == "2024-05-06 09:00:00 UTC");
    CHECK(next("0 9 * * sat,Sun", utc(2024, 5, 1, 0, 0)) == "2024-05-04 09:00:00 UTC");
    CHECK(next("0 9 * * 7", utc(2024, 5, 1, 0, 0)) == "2024-05-05 09:00:00 UTC");
    CHECK(next("0 9 * * 0", utc(2024, 5, 1, 0, 0)) == "2024-05-05 09:00:00 UTC");
    CHECK(next("0 9 * * 5-7", utc(2024, 5, 4, 10, 0)) == "2024-05-05 09:00:00 UTC");
    CHECK(next("0 0 1 jan,MAR *", utc(2024, 1, 2, 0, 0)) == "2024-03-01 00:00:00 UTC");
    CHECK(next("0 0 1 Jun-Aug *", utc(2024, 8, 2, 0, 0)) == "2025-06-01 00:00:00 UTC");
}

TEST_CASE("cron: day-of-month OR day-of-week when both are restricted", "[cron]") {
    const auto* z = find_time_zone("UTC");
    auto c = CronSchedule::parse("0 0 13 * FRI");
    // 2024-09-01 is a Sunday; Friday 6th, Friday 13th, Friday 20th.
    CHECK(show(c.next_after(utc(2024, 9, 1, 0, 0), z)) == "2024-09-06 00:00:00 UTC");
    CHECK(show(c.next_after(utc(2024, 9, 7, 0, 0), z)) == "2024-09-13 00:00:00 UTC");
    CHECK(show(c.next_after(utc(2024, 9, 13, 0, 0), z)) == "2024-09-20 00:00:00 UTC");
    // 2024-10-13 is a Sunday, not a Friday: matches by day-of-month.
    CHECK(show(c.next_after(utc(2024, 10, 12, 0, 0), z)) == "2024-10-13 00:00:00 UTC");
    // Only day-of-month restricted: only the 13th.
    CHECK(show(CronSchedule::parse("0 0 13 * *").next_after(utc(2024, 9, 1, 0, 0), z)) ==
          "2024-09-13 00:00:00 UTC");
    // Only day-of-week restricted: only Fridays.
    CHECK(show(CronSchedule::parse("0 0 * * 5").next_after(utc(2024, 9, 7, 0, 0), z)) ==
          "2024-09-13 00:00:00 UTC");
    // A field starting with '*' counts as unrestricted (Vixie cron): */2 in day-of-week ANDs.
    // 2024-09-03 is a Tuesday (2): day 3 AND an even weekday.
    CHECK(show(CronSchedule::parse("0 0 3 * */2").next_after(utc(2024, 9, 1, 0, 0), z)) ==
          "2024-09-03 00:00:00 UTC");
}

TEST_CASE("cron: month ends and leap years in Asia/Tokyo", "[cron]") {
    const auto* tokyo = find_time_zone("Asia/Tokyo");
    auto c31 = CronSchedule::parse("0 9 31 * *");
    // 09:00 JST = 00:00 UTC.
    CHECK(show(c31.next_after(local(tokyo, 2024, 4, 1, 0, 0), tokyo)) == "2024-05-31 00:00:00 UTC");
    CHECK(show(c31.next_after(local(tokyo, 2024, 5, 31, 9, 0), tokyo)) ==
          "2024-07-31 00:00:00 UTC");
    auto feb29 = CronSchedule::parse("0 0 29 2 *");
    CHECK(show(feb29.next_after(local(tokyo, 2025, 3, 1, 0, 0), tokyo)) ==
          "2028-02-28 15:00:00 UTC");  // 2028-02-29 00:00 JST
    CHECK(show(feb29.next_after(local(tokyo, 2024, 2, 28, 23, 59), tokyo)) ==
          "2024-02-28 15:00:00 UTC");
    auto last = CronSchedule::parse("30 23 * * *");
    // Local midnight in Tokyo is 15:00 UTC the day before: the local date decides.
    CHECK(show(last.next_after(local(tokyo, 2024, 12, 31, 23, 30), tokyo)) ==
          "2025-01-01 14:30:00 UTC");
    CHECK(show(CronSchedule::parse("0 9 * * 1-5").next_after(utc(2024, 5, 3, 1, 0), tokyo)) ==
          "2024-05-06 00:00:00 UTC");  // Friday 10:00 JST -> Monday 09:00 JST
}

TEST_CASE("cron: America/New_York across DST changes", "[cron]") {
    const auto* ny = find_time_zone("America/New_York");
    SECTION("spring forward: 02:30 does not exist on 2024-03-10 and is skipped") {
        auto c = CronSchedule::parse("30 2 * * *");
        CHECK(show(c.next_after(local(ny, 2024, 3, 10, 0, 0), ny)) ==
              "2024-03-11 06:30:00 UTC");  // 02:30 EDT on the 11th
        auto hourly = CronSchedule::parse("0 * * * *");
        // 01:30 EST -> 03:00 EDT (07:00 UTC): the 02:00 hour does not exist.
        CHECK(show(hourly.next_after(local(ny, 2024, 3, 10, 1, 30), ny)) ==
              "2024-03-10 07:00:00 UTC");
        auto nine = CronSchedule::parse("0 9 * * *");
        CHECK(show(nine.next_after(local(ny, 2024, 3, 9, 10, 0), ny)) ==
              "2024-03-10 13:00:00 UTC");  // 09:00 EDT
    }
    SECTION("fall back: 01:30 happens twice on 2024-11-03 and fires once, the first time") {
        auto c = CronSchedule::parse("30 1 * * *");
        auto first = c.next_after(local(ny, 2024, 11, 3, 0, 0), ny);
        CHECK(show(first) == "2024-11-03 05:30:00 UTC");                    // 01:30 EDT
        CHECK(show(c.next_after(first, ny)) == "2024-11-04 06:30:00 UTC");  // 01:30 EST, next day
        auto half = CronSchedule::parse("*/30 * * * *");
        // 01:45 EDT -> the repeated hour is skipped -> 02:00 EST.
        CHECK(show(half.next_after(utc(2024, 11, 3, 5, 45), ny)) == "2024-11-03 07:00:00 UTC");
        // From inside the second 01:xx (01:10 EST = 06:10 UTC): 02:00 EST.
        CHECK(show(half.next_after(utc(2024, 11, 3, 6, 10), ny)) == "2024-11-03 07:00:00 UTC");
        auto nine = CronSchedule::parse("0 9 * * *");
        CHECK(show(nine.next_after(local(ny, 2024, 11, 2, 10, 0), ny)) ==
              "2024-11-03 14:00:00 UTC");  // 09:00 EST
    }
}

TEST_CASE("cron: impossible schedules do not loop forever", "[cron]") {
    const auto* z = find_time_zone("UTC");
    auto c = CronSchedule::parse("0 0 30 2 *");
    CHECK_THROWS_AS(c.next_after(utc(2024, 1, 1, 0, 0), z), std::runtime_error);
    CHECK_THROWS_WITH(c.next_after(utc(2024, 1, 1, 0, 0), z), Catch::Contains("never fires"));
    CHECK_THROWS_AS(CronSchedule::parse("0 0 31 4,6,9,11 *").next_after(utc(2024, 1, 1, 0, 0), z),
                    std::runtime_error);
}

TEST_CASE("cron: parse errors name the field", "[cron]") {
    auto fails_in = [](const char* spec, const char* field) {
        INFO(spec);
        CHECK_THROWS_AS(CronSchedule::parse(spec), std::invalid_argument);
        CHECK_THROWS_WITH(CronSchedule::parse(spec), Catch::Contains(field));
    };
    fails_in("60 * * * *", "minute");
    fails_in("* 24 * * *", "hour");
    fails_in("* * 0 * *", "day-of-month");
    fails_in("* * 32 * *", "day-of-month");
    fails_in("* * * 13 *", "month");
    fails_in("* * * FOO *", "month");
    fails_in("* * * * 8", "day-of-week");
    fails_in("* * * * MON-FOO", "day-of-week");
    fails_in("* * * JAN-FEB SUNDAY", "day-of-week");
    fails_in("*/0 * * * *", "minute");
    fails_in("5-1 * * * *", "minute");
    fails_in("1,,2 * * * *", "minute");
    fails_in("a * * * *", "minute");
    fails_in("* */x * * *", "hour");
    fails_in("* * * *", "5 fields");
    fails_in("* * * * * *", "5 fields");
    fails_in("", "5 fields");
    CHECK_NOTHROW(CronSchedule::parse("  0\t9 * * 1-5  "));
    CHECK_NOTHROW(CronSchedule::parse("0 0 30 2 *"));  // valid syntax, never fires
}

TEST_CASE("time zones", "[cron]") {
    CHECK(find_time_zone("Asia/Tokyo")->name() == "Asia/Tokyo");
    CHECK(find_time_zone("") != nullptr);
    CHECK_THROWS_AS(find_time_zone("Mars/Olympus"), std::invalid_argument);
    CHECK_THROWS_WITH(find_time_zone("Mars/Olympus"), Catch::Contains("Mars/Olympus"));
}
