// One line per event in logfmt on stderr, for journald: `level=info msg="..." key=value ...`.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace tg::host::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

using Field = std::pair<std::string_view, std::string_view>;

void set_level(Level level);
bool parse_level(std::string_view text, Level& level);
bool enabled(Level level);
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
    write(Level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
    write(Level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
    write(Level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
    write(Level::error, m, f);
}

// A field every line written on this thread carries while the object lives, unless the line
// names that key itself: a sink's own lines during a delivery say which delivery they are about.
class ScopedField {
  public:
    ScopedField(std::string key, std::string value);
    ~ScopedField();
    ScopedField(const ScopedField&) = delete;
    ScopedField& operator=(const ScopedField&) = delete;
};

// logfmt quoting: bare when safe, else double-quoted with \" \\ \n \r \t escaped and every other
// control character (C0, DEL, C1) as \u00XX, so that a value can neither forge a line nor drive
// a terminal.
std::string quote(std::string_view value);

}  // namespace tg::host::log
