// The SQL dialects the stores speak, and the one rule that separates most of their statements:
// SQLite takes `?` placeholders, PostgreSQL `$1, $2, ...`. Statements are written once with `?`
// and rewritten for PostgreSQL here (the host's spool and the redmine_grouping state share it).
#pragma once

#include <string>

namespace tg::sql {

enum class Dialect { sqlite, postgresql };

// The statement as `dialect` wants it: `?` outside quoted literals becomes `$n` for PostgreSQL.
inline std::string for_dialect(Dialect dialect, const std::string& statement) {
    if (dialect == Dialect::sqlite) return statement;
    std::string out;
    int n = 0;
    bool quoted = false;
    for (char c : statement) {
        if (c == '\'') quoted = !quoted;
        if (c == '?' && !quoted) {
            out += '$';
            out += std::to_string(++n);
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace tg::sql
