#include "sql/postgresql_session.hpp"

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionHandle.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <libpq-fe.h>

#include <mutex>
#include <utility>

// Poco 1.11's PostgreSQL connector (Data/PostgreSQL/src/SessionHandle.cpp, as Debian 12 ships it)
// frees a connection's PGconn in one place, SessionHandle::disconnect(), and only while
// PQstatus() is CONNECTION_OK:
//  - a connection the server ended (failover, pg_terminate_backend, a network cut) is
//    CONNECTION_BAD from the first statement that finds it gone; close(), ~SessionImpl and
//    ~SessionHandle all go through disconnect(), which then leaves it: about 35 KB lost each time;
//  - connect() keeps what PQconnectdb() returned and throws when it is not CONNECTION_OK; the
//    SessionImpl being constructed goes away with the exception and its PGconn with nobody
//    pointing at it: as much again for every attempt to reconnect while the server is down.
// Poco fixed both in 1.13 (disconnect() frees any PGconn, connect() frees a failed one).
//
// What was weighed, for 1.11:
//  - Freeing the PGconn of a dead session ourselves. SessionImpl::handle() and SessionHandle's
//    operator PGconn*() give the pointer, but PQfinish() on it alone would leave Poco's
//    _pConnection dangling: close() and both destructors call PQstatus() on it (a use after
//    free). No public member of SessionHandle clears the pointer without a server: disconnect()
//    does only while CONNECTION_OK, connect() replaces it with a new PGconn (leaked in turn if
//    that one fails), reset() is PQreset(), a reconnect. So the pointer is taken out of the handle
//    (set to null under the handle's own mutex, the one Poco holds around it) and then freed:
//    every later Poco call finds no connection (isConnected() is false, statements throw
//    NotConnectedException, disconnect() does nothing), so nothing is freed twice or touched.
//    The private member is reached through an explicit template instantiation, which the
//    language exempts from access checking ([temp.spec]/6 in C++20); it is the member of the
//    installed header, the library's own build. With a later Poco (which frees these itself)
//    this still only takes a pointer that Poco's close() left; a renamed member fails to compile.
//  - A failed connect leaves nothing to take out: the PGconn is gone with the half-built
//    SessionImpl. So a connection is tried with libpq first, with the parameters Poco passes,
//    and closed again; Poco's connector is asked only when that one succeeded. A failed attempt
//    then throws what Poco throws and leaks nothing. What remains is the moment between the
//    two: a server that accepts the trial and refuses Poco's connection an instant later leaks
//    one PGconn, which takes a server going down in that instant (once per outage at most, not
//    once per retry). The cost is one connection more at each open (a replica opens a few at
//    start and after a failure).
//  - Keeping Poco's leak and bounding it (recreating sessions less often) would bound it per
//    outage, but the pool's sessions are exactly what a failover kills; and moving the stores to
//    libpq would rewrite every statement of the spool and the state for what these two steps fix.

namespace tg::sql {

namespace {

using Poco::Data::PostgreSQL::SessionHandle;
using ConnectionMember = PGconn* SessionHandle::*;

// &SessionHandle::_pConnection, private: named once, in the explicit instantiation below.
ConnectionMember connection_member();

template <ConnectionMember member>
struct ConnectionMemberOf {
    friend ConnectionMember connection_member() { return member; }
};
template struct ConnectionMemberOf<&SessionHandle::_pConnection>;

// Poco's SessionImpl::open() passes connect_timeout=<login timeout> (60 s) unless the connection
// string has one; libpq takes the last of a repeated keyword.
std::string as_poco_connects(const std::string& connection_string) {
    return "connect_timeout=" + std::to_string(Poco::Data::SessionImpl::LOGIN_TIMEOUT_DEFAULT) +
           " " + connection_string;
}

}  // namespace

Poco::Data::Session open_postgresql_session(const std::string& connection_string) {
    static std::once_flag registered;
    std::call_once(registered, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
    {
        std::unique_ptr<PGconn, decltype(&PQfinish)> trial(
            PQconnectdb(as_poco_connects(connection_string).c_str()), &PQfinish);
        if (!trial || PQstatus(trial.get()) != CONNECTION_OK)
            // The class and text of SessionHandle::connect()'s exception.
            throw Poco::Data::ConnectionFailedException(
                std::string("Connection Error: ") +
                (trial ? PQerrorMessage(trial.get()) : "out of memory"));
    }
    return Poco::Data::Session("PostgreSQL", connection_string);
}

void close_session(Poco::Data::Session& session) noexcept {
    try {
        session.close();  // a live connection: Poco's disconnect() ends and frees it
    } catch (...) {
    }
    auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session.impl());
    if (!impl) return;
    SessionHandle& handle = impl->handle();
    PGconn* dead = nullptr;
    {
        Poco::FastMutex::ScopedLock lock(handle.mutex());
        dead = std::exchange(handle.*connection_member(), nullptr);
    }
    if (dead) PQfinish(dead);  // closes the socket; the server is not needed
}

void SessionCloser::operator()(Poco::Data::Session* session) const noexcept {
    if (!session) return;
    close_session(*session);
    delete session;
}

}  // namespace tg::sql
