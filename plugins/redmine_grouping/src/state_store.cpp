#include "state_store.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <stdexcept>

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace tg::redmine {

namespace {

std::string as_text(const RecordSet& rs, size_t col) {
    return rs.value(col, 0).convert<std::string>();
}

// A PostgreSQL identifier, quoted: any text, with its double quotes doubled.
std::string quoted_identifier(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// A replica waits this long for another's lock before the delivery is retried later: longer
// than any one alert's Redmine requests, short enough that a stuck peer does not stall us.
constexpr const char* lock_timeout = "SET lock_timeout = '60s'";

struct NewerSchema : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

std::string StateLocation::description() const {
    if (!is_shared()) return "sqlite:" + sqlite_path;
    // The connection string's non-secret parts, as the host describes its store.
    std::string out = "postgresql:";
    std::istringstream words(postgresql);
    for (std::string word; words >> word;)
        if (word.rfind("password=", 0) != 0) out += " " + word;
    return out + " schema " + schema;
}

std::string shared_schema_name(const std::string& plugin, const std::string& instance) {
    std::string name = plugin + "_" + instance;
    if (name.size() <= 63) return name;
    // Longer names would be cut by PostgreSQL, and two long instance names could meet.
    uint64_t hash = 1469598103934665603ULL;  // FNV-1a 64
    for (unsigned char c : name) hash = (hash ^ c) * 1099511628211ULL;
    char suffix[18];
    std::snprintf(suffix, sizeof suffix, "_%016llx", static_cast<unsigned long long>(hash));
    size_t keep = 63 - 17;
    while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;  // UTF-8
    return name.substr(0, keep) + suffix;
}

StateLock::~StateLock() {
    if (store_) store_->unlock(key_);
}

StateStore::StateStore(StateLocation location, std::shared_ptr<LockTable> locks)
    : location_(std::move(location)),
      locks_(locks ? std::move(locks) : std::make_shared<LockTable>()) {
    static std::once_flag registered;
    std::call_once(registered, [] {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
    open();
}

StateStore::~StateStore() = default;

const StateSql& StateStore::sql() const {
    return state_sql(location_.is_shared() ? Dialect::postgresql : Dialect::sqlite);
}

void StateStore::open() {
    try {
        tg::sql::OwnedSession session;
        if (location_.is_shared()) {
            // Poco 1.11 leaks a PostgreSQL connection that fails to open or that the server
            // ends: the session opens and closes through sql/postgresql_session.hpp.
            session.reset(
                new Poco::Data::Session(tg::sql::open_postgresql_session(location_.postgresql)));
            *session << lock_timeout, now;
        } else {
            session.reset(new Poco::Data::Session("SQLite", location_.sqlite_path));
            for (const auto& s : sql().open) *session << s, now;
            struct stat st {};
            if (::stat(location_.sqlite_path.c_str(), &st) == 0)
                opened_file_ = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
        }
        migrate(*session);
        session_ = std::move(session);
    } catch (const Poco::Exception& e) {
        // displayText(): what() is only the exception's class name.
        throw std::runtime_error("redmine_grouping: the state store " + location_.description() +
                                 " cannot be opened: " + e.displayText());
    } catch (const NewerSchema& e) {
        throw std::runtime_error("redmine_grouping: the state store " + location_.description() +
                                 " cannot be opened: " + e.what() +
                                 "; run the newer build, or give this one a store of its own");
    }
}

// The tables at state_schema_version, in one transaction; replicas starting together take turns.
void StateStore::migrate(Poco::Data::Session& session) {
    begin_write(session);
    try {
        if (location_.is_shared()) {
            session << sql().migration_lock, bind("tickets-grouping schema " + location_.schema),
                now;
            session << "CREATE SCHEMA IF NOT EXISTS " + quoted_identifier(location_.schema), now;
            session << "SET search_path TO " + quoted_identifier(location_.schema), now;
        }
        for (const auto& s : sql().schema) session << s, now;
        Statement st(session);
        st << sql().get_meta, bind(std::string("schema_version")), now;
        RecordSet rs(st);
        const int version = rs.rowCount() ? std::stoi(as_text(rs, 0)) : 0;
        if (version > state_schema_version)
            throw NewerSchema("its schema version " + std::to_string(version) +
                              " is newer than this build knows (" +
                              std::to_string(state_schema_version) + ")");
        if (version < state_schema_version)
            session << sql().put_meta, bind(std::string("schema_version")),
                bind(std::to_string(state_schema_version)), now;
        commit(session);
    } catch (...) {
        try {
            rollback(session);
        } catch (...) {
        }
        throw;
    }
}

void StateStore::begin_write(Poco::Data::Session& session) {
    if (location_.is_shared())
        session.begin();
    else
        session << "BEGIN IMMEDIATE", now;
}

void StateStore::commit(Poco::Data::Session& session) {
    if (location_.is_shared())
        session.commit();
    else
        session << "COMMIT", now;
}

void StateStore::rollback(Poco::Data::Session& session) {
    if (location_.is_shared())
        session.rollback();
    else
        session << "ROLLBACK", now;
}

void StateStore::ensure_open() {
    if (location_.is_shared()) {
        if (session_) {
            try {
                *session_ << "SELECT 1", now;
                return;
            } catch (const Poco::Exception&) {
                drop_connection();
            }
        }
        open();
        return;
    }
    if (session_ && is_the_opened_file()) return;
    // The lanes of one instance share the file: one makes it again, the others open that one
    // (and leave its -wal and -shm alone).
    const auto held = lock("state file");
    session_.reset();
    std::error_code ec;
    if (!std::filesystem::exists(location_.sqlite_path, ec) && !ec)
        for (const char* suffix : {"-wal", "-shm"})
            std::filesystem::remove(location_.sqlite_path + suffix, ec);
    open();
}

bool StateStore::is_the_opened_file() const {
    struct stat st {};
    if (::stat(location_.sqlite_path.c_str(), &st) != 0)
        return errno != ENOENT;  // unreadable for a moment: keep the session that works
    return opened_file_ ==
           std::pair{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

void StateStore::drop_connection() noexcept {
    // Closing the connection is what releases a session's advisory locks for certain. The closed
    // session stays: statements on it fail (a retry later) until ensure_open() replaces it.
    if (session_) tg::sql::close_session(*session_);  // frees it also when the server ended it
}

StateLock StateStore::lock(const std::string& key) {
    if (!location_.is_shared()) {
        locks_->hold(key, this);
        return StateLock(this, key);
    }
    const std::string scoped = location_.schema + "\n" + key;
    *session_ << sql().lock, bind(scoped), now;
    return StateLock(this, scoped);
}

void StateStore::unlock(const std::string& scoped) noexcept {
    if (!location_.is_shared()) return locks_->release(scoped, this);
    try {
        *session_ << sql().unlock, bind(scoped), now;
    } catch (...) {
        // An aborted transaction or a lost connection: the lock must not outlive this call.
        drop_connection();
    }
}

bool StateStore::needs_rebuild() {
    Statement st(*session_);
    st << sql().get_meta, bind(std::string("rebuilt_at")), now;
    return RecordSet(st).rowCount() == 0;
}

void StateStore::mark_rebuilt(int64_t now_unix) {
    *session_ << sql().put_meta, bind(std::string("rebuilt_at")), bind(std::to_string(now_unix)),
        now;
}

void StateStore::clear() {
    for (const auto& s : sql().clear) *session_ << s, now;
}

// A write transaction from the start: on the embedded file, other lanes' writes wait for its end
// (the host runs dry runs alone, so none waits in practice).
void StateStore::begin_dry_run() { begin_write(*session_); }

void StateStore::end_dry_run() {
    try {
        rollback(*session_);
    } catch (const Poco::Exception&) {
        if (!location_.is_shared()) throw;
        drop_connection();  // nothing of the dry run was committed; the next call reconnects
    }
}

}  // namespace tg::redmine
