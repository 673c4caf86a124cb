// The store URL: SQLite paths, PostgreSQL URLs turned into libpq connection strings, passwords
// from a file or PGPASSWORD and never shown, and clear refusals.
#include "spool/store_url.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace tg::host;

namespace {

GetEnv env(std::map<std::string, std::string> vars = {}) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

std::string error_of(const std::string& url, const GetEnv& get_env = env()) {
    try {
        parse_store_url(url, get_env);
    } catch (const StoreUrlError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("sqlite: URLs and the default store") {
    CHECK(default_store_url("/var/lib/tg") == "sqlite:/var/lib/tg/spool.sqlite3");
    CHECK(default_store_url("/var/lib/tg/") == "sqlite:/var/lib/tg/spool.sqlite3");
    CHECK(default_store_url("./state") == "sqlite:./state/spool.sqlite3");
    auto store = parse_store_url("sqlite:/var/lib/tg/spool.sqlite3", env());
    CHECK(store.kind == StoreUrl::Kind::sqlite);
    CHECK(store.sqlite_path == "/var/lib/tg/spool.sqlite3");
    CHECK(store.description == "sqlite:/var/lib/tg/spool.sqlite3");
    CHECK(parse_store_url("sqlite:///var/x.db", env()).sqlite_path == "/var/x.db");
    CHECK(parse_store_url("sqlite:state/x.db", env()).sqlite_path == "state/x.db");
    CHECK_THAT(error_of("sqlite:"), Catch::StartsWith("sqlite: needs a file"));
}

TEST_CASE("a PostgreSQL URL becomes a libpq connection string, the password from a file") {
    tg::test::TempDir dir;
    tg::test::write_file(dir / "pw", "s3cr'et\\x\n");
    const std::string url =
        "postgresql://router@db.example:6543/alerts?password_file=" + dir / "pw";
    auto store = parse_store_url(url, env({{"PGPASSWORD", "ignored"}}));
    CHECK(store.kind == StoreUrl::Kind::postgresql);
    CHECK(store.connection_string ==
          "host='db.example' port='6543' dbname='alerts' user='router' password='s3cr\\'et\\\\x'"
          " application_name='tickets-grouping' connect_timeout='10'"
          " options='-cclient_min_messages=warning'");
    CHECK(store.description ==
          "postgresql://router@db.example:6543/alerts?password_file=" + dir / "pw");
    CHECK(store.description.find("s3cr") == std::string::npos);
}

TEST_CASE("PostgreSQL URL: PGPASSWORD, defaults, escapes, IPv6, libpq parameters") {
    auto store = parse_store_url("postgres://a%40b@[::1]/d%2Fb?sslmode=require&connect_timeout=3",
                                 env({{"PGPASSWORD", "pw"}}));
    CHECK(store.connection_string ==
          "host='::1' dbname='d/b' user='a@b' password='pw' application_name='tickets-grouping'"
          " connect_timeout='3' sslmode='require' options='-cclient_min_messages=warning'");
    CHECK(store.description == "postgresql://a@b@[::1]/d/b?sslmode=require&connect_timeout=3");
    // No password at all: libpq may still find one (~/.pgpass) or the server may not ask.
    auto bare = parse_store_url("postgresql://localhost", env());
    CHECK(bare.connection_string ==
          "host='localhost' application_name='tickets-grouping' connect_timeout='10'"
          " options='-cclient_min_messages=warning'");
}

TEST_CASE("PostgreSQL URL: refusals name the problem and never repeat a password") {
    const std::string with_password = error_of("postgresql://user:hunter2@host/db");
    CHECK_THAT(with_password, Catch::Contains("do not write the password into the URL"));
    CHECK(with_password.find("hunter2") == std::string::npos);
    CHECK(error_of("mysql://user:hunter2@host/db").find("hunter2") == std::string::npos);
    CHECK_THAT(error_of("postgresql://h/db?password=x"), Catch::Contains("use ?password_file"));
    CHECK_THAT(error_of("postgresql://h/db?colour=blue"),
               Catch::StartsWith("unknown query parameter \"colour\""));
    CHECK_THAT(error_of("postgresql://h:99999/db"), Catch::StartsWith("bad port"));
    CHECK_THAT(error_of("postgresql:///db"), Catch::StartsWith("the host is missing"));
    CHECK_THAT(error_of("postgresql://h/db?password_file=/nonexistent/pw"),
               Catch::StartsWith("cannot read the password_file /nonexistent/pw"));
    CHECK_THAT(error_of("/var/lib/spool.sqlite3"), Catch::StartsWith("unknown kind of store"));
    // Poco's connector cuts its connection string at blanks: refused rather than mangled.
    const std::string blank = error_of("postgresql://h/db", env({{"PGPASSWORD", "two words"}}));
    CHECK(blank ==
          "the password may not contain blanks (the PostgreSQL connector cannot pass them)");
    CHECK_THAT(error_of("postgresql://h/my%20db"),
               Catch::StartsWith("the database name may not contain blanks"));
}
