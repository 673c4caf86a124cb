// A connection to the spool's store, and the schema brought up to date on it: shared by the spool
// the host runs on and by the commands that read or change its tables beside it (dead-letters).
#pragma once

#include "spool/store_url.hpp"
#include "sql/sql_dialect.hpp"

#include <Poco/Data/Session.h>

namespace tg::host {

tg::sql::Dialect dialect_of(const StoreUrl& store);

// SQLite: WAL, with a busy timeout and the `synchronous` level given ("FULL", "NORMAL").
// Throws SpoolError naming the store.
Poco::Data::Session open_store_session(const StoreUrl& store, const char* synchronous);

// Brings the schema to spool_sql::schema_version, one version after the other, in one
// transaction (PostgreSQL: under a lock, since several replicas may start at once).
void migrate_store(Poco::Data::Session& session, tg::sql::Dialect dialect);

void rollback_quietly(Poco::Data::Session& session);

}  // namespace tg::host
