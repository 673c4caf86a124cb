// Sessions on PostgreSQL through Poco 1.11's connector, without the connections it leaks: one
// the server ended (failover, pg_terminate_backend, a network cut) and one that failed to open
// (the .cpp says how and why). The host's spool and the redmine_grouping state open and close
// every PostgreSQL session of theirs here.
#pragma once

#include <Poco/Data/Session.h>

#include <memory>
#include <string>

namespace tg::sql {

// A session on PostgreSQL (the connector registered here). Throws what Poco's connector throws
// when it cannot connect, without leaving the failed connection allocated.
Poco::Data::Session open_postgresql_session(const std::string& connection_string);

// Closes the session (any: SQLite's too) and frees its PostgreSQL connection whatever state the
// connection is in. The session stays, closed: statements on it fail (NotConnectedException).
void close_session(Poco::Data::Session& session) noexcept;

// A session owned on the heap that close_session() closes before it is deleted.
struct SessionCloser {
    void operator()(Poco::Data::Session* session) const noexcept;
};
using OwnedSession = std::unique_ptr<Poco::Data::Session, SessionCloser>;

}  // namespace tg::sql
