#include "time/cron.hpp"

#include <cctype>
#include <stdexcept>
#include <vector>

namespace tg::common {

namespace {

struct FieldSpec {
    const char* name;
    int min;
    int max;
    const char* const* names;  // names[i] is value min+i; nullptr if none
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[] = {
    {"minute", 0, 59, nullptr},       {"hour", 0, 23, nullptr},
    {"day-of-month", 1, 31, nullptr}, {"month", 1, 12, kMonthNames},
    {"day-of-week", 0, 7, kDayNames},
};

[[noreturn]] void bad_field(std::string_view text, const FieldSpec& f, std::string_view field,
                            const std::string& why) {
    throw std::invalid_argument("invalid cron schedule \"" + std::string(text) + "\": " + f.name +
                                " field \"" + std::string(field) + "\": " + why);
}

int parse_value(std::string_view text, const FieldSpec& f, std::string_view field,
                std::string_view v) {
    if (v.empty()) bad_field(text, f, field, "missing value");
    if (std::isdigit(static_cast<unsigned char>(v[0]))) {
        int n = 0;
        for (char c : v) {
            if (!std::isdigit(static_cast<unsigned char>(c))) {
                bad_field(text, f, field, "\"" + std::string(v) + "\" is not a number");
            }
            n = n * 10 + (c - '0');
            if (n > 1000) break;
        }
        if (n < f.min || n > f.max) {
            bad_field(text, f, field,
                      std::to_string(n) + " is out of range " + std::to_string(f.min) + "-" +
                          std::to_string(f.max));
        }
        return n;
    }
    if (f.names != nullptr && v.size() == 3) {
        std::string up;
        for (char c : v) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const int count = f.min == 0 ? 7 : 12;  // day-of-week 0-6 or months 1-12
        for (int i = 0; i < count; ++i) {
            if (up == f.names[i]) return f.min + i;
        }
    }
    bad_field(text, f, field, "\"" + std::string(v) + "\" is not a valid value");
}

// Sets bits [min..max] of `out` (as a vector<bool> indexed by value); returns whether the field
// starts with '*'.
bool parse_field(std::string_view text, const FieldSpec& f, std::string_view field,
                 std::vector<bool>& out) {
    out.assign(f.max + 1, false);
    if (field.empty()) bad_field(text, f, field, "empty");
    size_t start = 0;
    while (true) {
        size_t comma = field.find(',', start);
        std::string_view item = field.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (item.empty()) bad_field(text, f, field, "empty list element");
        std::string_view range = item;
        int step = 1;
        size_t slash = item.find('/');
        if (slash != std::string_view::npos) {
            range = item.substr(0, slash);
            std::string_view s = item.substr(slash + 1);
            if (s.empty()) bad_field(text, f, field, "missing step after '/'");
            step = 0;
            for (char c : s) {
                if (!std::isdigit(static_cast<unsigned char>(c))) {
                    bad_field(text, f, field, "step \"" + std::string(s) + "\" is not a number");
                }
                step = step * 10 + (c - '0');
                if (step > 1000) break;
            }
            if (step == 0) bad_field(text, f, field, "step must be at least 1");
        }
        int lo, hi;
        if (range == "*") {
            lo = f.min;
            hi = f.max;
        } else {
            size_t dash = range.find('-');
            if (dash != std::string_view::npos) {
                lo = parse_value(text, f, field, range.substr(0, dash));
                hi = parse_value(text, f, field, range.substr(dash + 1));
                if (lo > hi) {
                    bad_field(text, f, field,
                              "range " + std::string(range) + " is reversed (start > end)");
                }
            } else {
                lo = parse_value(text, f, field, range);
                hi = slash != std::string_view::npos ? f.max : lo;  // "N/STEP" = N-max/STEP
            }
        }
        for (int v = lo; v <= hi; v += step) out[v] = true;
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return field[0] == '*';
}

}  // namespace

CronSchedule CronSchedule::parse(std::string_view text) {
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        if (i >= text.size()) break;
        size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
        fields.push_back(text.substr(i, j - i));
        i = j;
    }
    if (fields.size() != 5) {
        throw std::invalid_argument(
            "invalid cron schedule \"" + std::string(text) + "\": expected 5 fields " +
            "(minute hour day-of-month month day-of-week), got " + std::to_string(fields.size()));
    }
    CronSchedule c;
    c.text_ = std::string(text);
    std::vector<bool> bits;
    parse_field(text, kFields[0], fields[0], bits);
    for (int v = 0; v < 60; ++v) c.minutes_[v] = bits[v];
    parse_field(text, kFields[1], fields[1], bits);
    for (int v = 0; v < 24; ++v) c.hours_[v] = bits[v];
    c.dom_star_ = parse_field(text, kFields[2], fields[2], bits);
    for (int v = 1; v <= 31; ++v) c.days_[v] = bits[v];
    parse_field(text, kFields[3], fields[3], bits);
    for (int v = 1; v <= 12; ++v) c.months_[v] = bits[v];
    c.dow_star_ = parse_field(text, kFields[4], fields[4], bits);
    for (int v = 0; v < 7; ++v) c.weekdays_[v] = bits[v];
    if (bits[7]) c.weekdays_[0] = true;
    return c;
}

bool CronSchedule::matches_day(date::year_month_day ymd) const {
    if (!months_[static_cast<unsigned>(ymd.month())]) return false;
    bool dom = days_[static_cast<unsigned>(ymd.day())];
    bool dow = weekdays_[date::weekday(ymd).c_encoding()];
    if (!dom_star_ && !dow_star_) return dom || dow;
    return dom && dow;
}

std::chrono::system_clock::time_point CronSchedule::next_after(
    std::chrono::system_clock::time_point t, const date::time_zone* zone) const {
    using namespace std::chrono;
    if (zone == nullptr) zone = date::locate_zone("UTC");
    const date::local_time<minutes> start = date::floor<minutes>(zone->to_local(t)) + minutes{1};
    date::local_days day = date::floor<date::days>(start);
    const date::local_days last = day + date::days{5 * 366};
    int first_minute_of_day =
        static_cast<int>(duration_cast<minutes>(start - day).count());  // only for the 1st day
    for (; day <= last; day += date::days{1}, first_minute_of_day = 0) {
        if (!matches_day(date::year_month_day{day})) continue;
        for (int m = first_minute_of_day; m < 24 * 60; ++m) {
            int hour = m / 60, minute = m % 60;
            if (!hours_[hour]) {
                m = hour * 60 + 59;  // skip the rest of this hour
                continue;
            }
            if (!minutes_[minute]) continue;
            const date::local_seconds lt = day + minutes{m};
            const date::local_info info = zone->get_info(lt);
            if (info.result == date::local_info::nonexistent) continue;  // DST gap: skipped
            // unique, or ambiguous: the first occurrence (info.first).
            const system_clock::time_point at{(lt - info.first.offset).time_since_epoch()};
            // Strictly after t. An ambiguous time whose first occurrence is not after t has
            // already fired (or would have) during the first pass: it does not fire again.
            if (at > t) return at;
        }
    }
    throw std::runtime_error("cron schedule \"" + text_ + "\" never fires within 5 years");
}

}  // namespace tg::common
