#include "spool/store_session.hpp"

#include "spool/spool.hpp"
#include "spool/spool_sql.hpp"
#include "sql/postgresql_session.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>

#include <chrono>
#include <thread>

using namespace Poco::Data::Keywords;

namespace tg::host {

using spool_sql::Dialect;

Dialect dialect_of(const StoreUrl& store) {
    return store.kind == StoreUrl::Kind::postgresql ? Dialect::postgresql : Dialect::sqlite;
}

Poco::Data::Session open_store_session(const StoreUrl& store, const char* synchronous) {
    try {
        // Poco 1.11 leaks a PostgreSQL connection that fails to open or that the server ends:
        // the session opens and closes through sql/postgresql_session.hpp, which frees both.
        if (store.kind == StoreUrl::Kind::postgresql)
            return tg::sql::open_postgresql_session(store.connection_string);
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session session("SQLite", store.sqlite_path);
        // The busy timeout first: switching to WAL waits for other connections opening the file
        // at the same moment (replicas in tests, a second process by mistake).
        session << "PRAGMA busy_timeout=10000", now;
        // SQLite may answer "locked" here at once, without the busy handler, while other
        // connections open and write the same fresh file (four replicas starting at once in a
        // test, 1 run in 5 once the WAL was copied back after every commit): a few tries.
        for (int attempt = 1;; ++attempt) {
            try {
                session << "PRAGMA journal_mode=WAL", now;
                break;
            } catch (const Poco::Data::SQLite::DBLockedException&) {
                if (attempt == 100) throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
        session << std::string("PRAGMA synchronous=") + synchronous, now;
        return session;
    } catch (const Poco::Exception& e) {
        throw SpoolError("cannot open the spool " + store.description + ": " + e.displayText());
    }
}

void rollback_quietly(Poco::Data::Session& session) {
    try {
        session.rollback();
    } catch (...) {
    }
}

void migrate_store(Poco::Data::Session& session, Dialect dialect) {
    session.begin();
    try {
        if (dialect == Dialect::postgresql) session << spool_sql::migration_lock_postgresql, now;
        session << spool_sql::create_version_table, now;
        int version = 0;
        session << spool_sql::read_version, into(version), now;
        if (version > spool_sql::schema_version)
            throw SpoolError("the spool has schema version " + std::to_string(version) +
                             ", newer than this build knows (" +
                             std::to_string(spool_sql::schema_version) +
                             "): run the newer build, or give this one a store of its own");
        for (const auto& migration : spool_sql::migrations) {
            if (migration.version <= version) continue;
            for (size_t i = 0; i < migration.count; ++i)
                session << migration.steps[i].for_dialect(dialect), now;
            int target = migration.version;
            session << spool_sql::text(dialect, spool_sql::write_version), use(target), now;
        }
        session.commit();
    } catch (...) {
        rollback_quietly(session);
        throw;
    }
}

}  // namespace tg::host
