// Sessions on PostgreSQL without Poco 1.11's leaks (common/sql/postgresql_session.hpp): a
// connection the server ended is freed when the session closes, and Poco then finds no connection
// (nothing freed twice); a connection that cannot be opened throws what Poco throws and leaves
// nothing allocated. Under AddressSanitizer, LeakSanitizer checks the "freed" at exit.
#include "sql/postgresql_session.hpp"
#include "store_test_support.hpp"

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <libpq-fe.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

std::string connection_string(const tg::test::PostgresDatabase& database) {
    return tg::test::parse(database.url()).connection_string;
}

PGconn* connection_of(Poco::Data::Session& session) {
    auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session.impl());
    REQUIRE(impl);
    return impl->handle();
}

int backend_pid(Poco::Data::Session& session) {
    int pid = 0;
    session << "SELECT pg_backend_pid()", into(pid), now;
    return pid;
}

// A statement that must fail on `session`.
void select_one(Poco::Data::Session& session) { session << "SELECT 1", now; }

int backends_with_pid(Poco::Data::Session& admin, int pid) {
    int n = 0;
    admin << "SELECT COUNT(*)::INTEGER FROM pg_stat_activity WHERE pid = $1", use(pid), into(n),
        now;
    return n;
}

}  // namespace

TEST_CASE("postgresql session: one the server ended is freed on close, and Poco forgets it",
          "[postgresql]") {
    tg::test::PostgresDatabase database;
    auto admin = tg::sql::open_postgresql_session(connection_string(database));
    auto session = tg::sql::open_postgresql_session(connection_string(database));
    int pid = backend_pid(session);
    int terminated = 0;
    admin
        << "SELECT COUNT(pg_terminate_backend(pid))::INTEGER FROM pg_stat_activity WHERE pid = $1",
        use(pid), into(terminated), now;
    REQUIRE(terminated == 1);
    CHECK_THROWS_AS(select_one(session), Poco::Exception);
    REQUIRE(connection_of(session));
    CHECK(PQstatus(connection_of(session)) == CONNECTION_BAD);  // what Poco's close() leaves

    tg::sql::close_session(session);
    CHECK(connection_of(session) == nullptr);
    CHECK_FALSE(session.isConnected());
    CHECK_THROWS_AS(select_one(session), Poco::Exception);
    tg::sql::close_session(session);  // again: nothing left to free
    session.close();                  // and Poco's own: it finds no connection
    CHECK(connection_of(session) == nullptr);
}

TEST_CASE("postgresql session: a live one is ended on the server as Poco ends it", "[postgresql]") {
    tg::test::PostgresDatabase database;
    auto admin = tg::sql::open_postgresql_session(connection_string(database));
    tg::sql::OwnedSession session(
        new Poco::Data::Session(tg::sql::open_postgresql_session(connection_string(database))));
    const int pid = backend_pid(*session);
    REQUIRE(backends_with_pid(admin, pid) == 1);
    session.reset();
    for (int i = 0; i < 100 && backends_with_pid(admin, pid) != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(backends_with_pid(admin, pid) == 0);
}

TEST_CASE("postgresql session: one that cannot be opened throws Poco's error, nothing kept",
          "[postgresql]") {
    // Nothing listens on port 1; a second attempt shows nothing of the first stays in the way.
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            tg::sql::open_postgresql_session(
                "host=127.0.0.1 port=1 dbname=none user=none connect_timeout=5");
            FAIL("it opened");
        } catch (const Poco::Data::ConnectionFailedException& e) {
            CHECK_THAT(e.displayText(), Catch::Contains("Connection Error: ") &&
                                            Catch::Contains("127.0.0.1") &&
                                            Catch::Contains("port 1"));
        }
    }
}
