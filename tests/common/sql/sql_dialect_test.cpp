#include <catch2/catch.hpp>

#include "sql/sql_dialect.hpp"

using tg::sql::Dialect;
using tg::sql::for_dialect;

TEST_CASE("statements are written once with ? and numbered for PostgreSQL", "[sql]") {
    const std::string s = "UPDATE t SET a = ?, b = '?' WHERE c = ? AND d = 'it''s ?'";
    CHECK(for_dialect(Dialect::sqlite, s) == s);
    CHECK(for_dialect(Dialect::postgresql, s) ==
          "UPDATE t SET a = $1, b = '?' WHERE c = $2 AND d = 'it''s ?'");
    CHECK(for_dialect(Dialect::postgresql, "SELECT 1") == "SELECT 1");
}
