#include "time/rfc3339.hpp"

#include <date/date.h>

#include <stdexcept>
#include <string>

namespace tg::common {

namespace {

// Reads the text left to right; every step throws std::invalid_argument with the reason alone.
class Reader {
  public:
    explicit Reader(std::string_view text) : s_(text) {}

    int digits(size_t n) {
        if (p_ + n > s_.size()) throw std::invalid_argument("cut short");
        int v = 0;
        for (size_t i = 0; i < n; ++i) {
            const char c = s_[p_ + i];
            if (c < '0' || c > '9') throw std::invalid_argument("a digit expected");
            v = v * 10 + (c - '0');
        }
        p_ += n;
        return v;
    }
    void expect(std::string_view any_of, const char* what) {
        if (p_ >= s_.size() || any_of.find(s_[p_]) == std::string_view::npos)
            throw std::invalid_argument(std::string(what) + " expected");
        ++p_;
    }
    bool accept(std::string_view any_of) {
        if (p_ >= s_.size() || any_of.find(s_[p_]) == std::string_view::npos) return false;
        ++p_;
        return true;
    }
    char last() const { return s_[p_ - 1]; }
    // The fraction after '.', as nanoseconds: digits past the ninth are cut, as Go's time.Parse
    // does.
    int64_t fraction() {
        int64_t nanos = 0;
        int n = 0;
        for (; p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9'; ++p_, ++n)
            if (n < 9) nanos = nanos * 10 + (s_[p_] - '0');
        if (n == 0) throw std::invalid_argument("digits expected after '.'");
        for (; n < 9; ++n) nanos *= 10;
        return nanos;
    }
    bool at_end() const { return p_ == s_.size(); }

  private:
    std::string_view s_;
    size_t p_ = 0;
};

std::optional<NanoTime> read(std::string_view text) {
    Reader r(text);
    const int year = r.digits(4);
    r.expect("-", "'-'");
    const int month = r.digits(2);
    r.expect("-", "'-'");
    const int day = r.digits(2);
    r.expect("Tt ", "'T'");
    const int hour = r.digits(2);
    r.expect(":", "':'");
    const int minute = r.digits(2);
    r.expect(":", "':'");
    const int second = r.digits(2);
    const int64_t nanos = r.accept(".") ? r.fraction() : 0;
    int offset_minutes = 0;
    if (!r.accept("Zz")) {
        r.expect("+-", "'Z' or an offset");
        const int sign = r.last() == '-' ? -1 : 1;
        const int oh = r.digits(2);
        r.expect(":", "':' in the offset");
        const int om = r.digits(2);
        if (oh > 23 || om > 59) throw std::invalid_argument("no such offset");
        offset_minutes = sign * (oh * 60 + om);
    }
    if (!r.at_end()) throw std::invalid_argument("text after the time");
    if (year <= 1) return std::nullopt;  // Go's zero time
    if (year < 1678 || year > 2261) throw std::invalid_argument("year out of range (1678-2261)");
    const date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                                   date::day(static_cast<unsigned>(day))};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 60)
        throw std::invalid_argument("no such date or time");
    using namespace std::chrono;
    const auto utc = date::sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
    return NanoTime(duration_cast<nanoseconds>(utc.time_since_epoch()) + nanoseconds(nanos) -
                    minutes(offset_minutes));
}

}  // namespace

std::optional<NanoTime> parse_rfc3339(std::string_view text) {
    try {
        return read(text);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("bad RFC 3339 time \"" + std::string(text.substr(0, 64)) +
                                    "\": " + e.what());
    }
}

}  // namespace tg::common
