#include "spool/sqlite_statement.hpp"

#include "spool/spool.hpp"

#include <sqlite3.h>

#include <string>

namespace tg::host {

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &statement_, nullptr) != SQLITE_OK)
        throw SpoolError(std::string("cannot prepare ") + std::string(sql) + ": " +
                         sqlite3_errmsg(db_));
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

void SqliteStatement::bind(int parameter, std::string_view text) {
    // A failure here (a parameter out of range) is reported by run(), as sqlite3_step reports it.
    sqlite3_bind_text(statement_, parameter, text.data(), static_cast<int>(text.size()),
                      SQLITE_STATIC);
}

void SqliteStatement::bind(int parameter, int64_t value) {
    sqlite3_bind_int64(statement_, parameter, value);
}

void SqliteStatement::run() {
    const int result = sqlite3_step(statement_);
    const std::string error = result == SQLITE_DONE || result == SQLITE_ROW
                                  ? std::string()
                                  : std::string("SQLite: ") + sqlite3_errmsg(db_);
    // Ready for the next run whatever happened, and holding no pointer to the caller's text.
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    if (!error.empty()) throw SpoolError(error);
}

}  // namespace tg::host
