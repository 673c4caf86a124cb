// Standard 5-field cron schedules, evaluated in a time zone.
#pragma once

#include <date/tz.h>

#include <bitset>
#include <chrono>
#include <string>
#include <string_view>

namespace tg::common {

class CronSchedule {
  public:
    // "minute hour day-of-month month day-of-week", fields separated by spaces/tabs. Each field is
    // a comma list of `*`, `N`, `N-M`, each optionally `/STEP` (`N/STEP` means N-max/STEP).
    // Months JAN-DEC and days SUN-SAT by name (case-insensitive); day-of-week 0-7, 7 = Sunday.
    // As in Vixie cron: when both day-of-month and day-of-week are restricted (do not start with
    // `*`), a day matches if EITHER matches; otherwise both must.
    // Throws std::invalid_argument naming the bad field.
    static CronSchedule parse(std::string_view text);

    // The first matching minute strictly after t, evaluated in local time of `zone` (nullptr =
    // UTC). DST: a local time that does not exist (spring forward gap) is skipped; an ambiguous
    // local time (fall back overlap) fires once, at its FIRST occurrence (the earlier UTC instant).
    // Searches at most 5 years ahead, then throws std::runtime_error (e.g. "0 0 30 2 *").
    std::chrono::system_clock::time_point next_after(std::chrono::system_clock::time_point t,
                                                     const date::time_zone* zone) const;

    const std::string& text() const { return text_; }

    // Whether the schedule fires on this local date (month, day-of-month/day-of-week rule).
    bool matches_day(date::year_month_day ymd) const;
    bool matches_time(int hour, int minute) const { return hours_[hour] && minutes_[minute]; }

  private:
    std::string text_;
    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    std::bitset<32> days_;     // 1-31
    std::bitset<13> months_;   // 1-12
    std::bitset<7> weekdays_;  // 0 = Sunday
    bool dom_star_ = false;
    bool dow_star_ = false;
};

}  // namespace tg::common
