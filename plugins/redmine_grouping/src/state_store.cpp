#include "state_store.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>

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

int64_t as_int(const RecordSet& rs, size_t col) { return rs.value(col, 0).convert<Poco::Int64>(); }
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

StateStore::StateStore(StateLocation location) : location_(std::move(location)) {
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
        std::unique_ptr<Poco::Data::Session> session;
        if (location_.is_shared()) {
            session = std::make_unique<Poco::Data::Session>("PostgreSQL", location_.postgresql);
            *session << lock_timeout, now;
        } else {
            session = std::make_unique<Poco::Data::Session>("SQLite", location_.sqlite_path);
            for (const auto& s : sql().open) *session << s, now;
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
    session.begin();
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
        session.commit();
    } catch (...) {
        try {
            session.rollback();
        } catch (...) {
        }
        throw;
    }
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
    std::error_code ec;
    if (session_ && (std::filesystem::exists(location_.sqlite_path, ec) || ec)) return;
    session_.reset();
    for (const char* suffix : {"-wal", "-shm"})
        std::filesystem::remove(location_.sqlite_path + suffix, ec);
    open();
}

void StateStore::drop_connection() noexcept {
    // Closing the connection is what releases a session's advisory locks for certain. The closed
    // session stays: statements on it fail (a retry later) until ensure_open() replaces it.
    try {
        if (session_) session_->close();
    } catch (...) {
    }
}

StateLock StateStore::lock(const std::string& key) {
    if (!location_.is_shared()) return StateLock(nullptr, key);
    const std::string scoped = location_.schema + "\n" + key;
    *session_ << sql().lock, bind(scoped), now;
    return StateLock(this, scoped);
}

void StateStore::unlock(const std::string& scoped) noexcept {
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

std::optional<IssueState> StateStore::issue(const std::string& key) {
    Statement st(*session_);
    st << sql().get_issue, bind(key), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return IssueState{as_int(rs, 0), as_int(rs, 1) != 0, as_int(rs, 2), as_int(rs, 3),
                      as_int(rs, 4)};
}

std::optional<std::string> StateStore::group_of_issue(const std::string& key) {
    Statement st(*session_);
    st << sql().get_issue_group, bind(key), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return rs.value(0, 0).convert<std::string>();
}

void StateStore::put_issue(const std::string& key, const std::string& alertname,
                           const IssueState& i) {
    *session_ << sql().put_issue, bind(key), bind(alertname), bind(Poco::Int64(i.id)),
        bind(Poco::Int64(i.open ? 1 : 0)), bind(Poco::Int64(i.parent_id)),
        bind(Poco::Int64(i.closed_at)), bind(Poco::Int64(i.synced_at)), now;
}

void StateStore::set_parent(int64_t issue_id, int64_t parent_id) {
    *session_ << sql().set_issue_parent, bind(Poco::Int64(parent_id)), bind(Poco::Int64(issue_id)),
        now;
}

void StateStore::set_open(int64_t issue_id, bool open, int64_t closed_at) {
    *session_ << sql().set_issue_open, bind(Poco::Int64(open ? 1 : 0)),
        bind(Poco::Int64(closed_at)), bind(Poco::Int64(issue_id)), now;
}

void StateStore::close_children(int64_t parent_id, int64_t closed_at) {
    *session_ << sql().close_children, bind(Poco::Int64(closed_at)), bind(Poco::Int64(parent_id)),
        now;
}

void StateStore::forget_issue(const std::string& key) {
    *session_ << sql().delete_issue, bind(key), now;
}

std::vector<HostIssue> StateStore::open_hosts(const std::string& alertname) {
    Statement st(*session_);
    st << sql().open_hosts_of_alertname, bind(alertname), now;
    RecordSet rs(st);
    std::vector<HostIssue> out;
    for (size_t row = 0; row < rs.rowCount(); ++row)
        out.push_back({rs.value(0, row).convert<std::string>(),
                       rs.value(1, row).convert<Poco::Int64>(),
                       rs.value(2, row).convert<Poco::Int64>()});
    return out;
}

std::optional<RootState> StateStore::root(const std::string& alertname) {
    Statement st(*session_);
    st << sql().get_root, bind(alertname), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return RootState{as_int(rs, 0), as_int(rs, 1) != 0};
}

void StateStore::put_root(const std::string& alertname, const RootState& root) {
    *session_ << sql().put_root, bind(alertname), bind(Poco::Int64(root.id)),
        bind(Poco::Int64(root.open ? 1 : 0)), now;
}

void StateStore::set_root_open(int64_t issue_id, bool open) {
    *session_ << sql().set_root_open, bind(Poco::Int64(open ? 1 : 0)), bind(Poco::Int64(issue_id)),
        now;
}

std::optional<Episode> StateStore::episode(const std::string& key) {
    Statement st(*session_);
    st << sql().get_episode, bind(key), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return Episode{as_text(rs, 0), as_text(rs, 1), as_int(rs, 2) != 0};
}

void StateStore::put_episode(const std::string& key, const Episode& e) {
    *session_ << sql().put_episode, bind(key), bind(e.fingerprint), bind(e.starts_at),
        bind(Poco::Int64(e.firing ? 1 : 0)), now;
}

bool StateStore::applied(const std::string& idempotency_key) {
    Statement st(*session_);
    st << sql().get_applied, bind(idempotency_key), now;
    return RecordSet(st).rowCount() > 0;
}

void StateStore::mark_applied(const std::string& idempotency_key, int64_t now_unix) {
    *session_ << sql().put_applied, bind(idempotency_key), bind(Poco::Int64(now_unix)), now;
}

void StateStore::prune_applied(int64_t before_unix) {
    *session_ << sql().prune_applied, bind(Poco::Int64(before_unix)), now;
}

std::optional<int64_t> StateStore::intent(const std::string& subject) {
    Statement st(*session_);
    st << sql().get_intent, bind(subject), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return as_int(rs, 0);
}

void StateStore::put_intent(const std::string& subject, int64_t now_unix) {
    *session_ << sql().put_intent, bind(subject), bind(Poco::Int64(now_unix)), now;
}

void StateStore::clear_intent(const std::string& subject) {
    *session_ << sql().delete_intent, bind(subject), now;
}

std::optional<int64_t> StateStore::note_intent(int64_t issue_id, const std::string& digest) {
    Statement st(*session_);
    st << sql().get_note_intent, bind(Poco::Int64(issue_id)), bind(digest), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return as_int(rs, 0);
}

void StateStore::put_note_intent(int64_t issue_id, const std::string& digest, int64_t now_unix) {
    *session_ << sql().put_note_intent, bind(Poco::Int64(issue_id)), bind(digest),
        bind(Poco::Int64(now_unix)), now;
}

void StateStore::clear_note_intent(int64_t issue_id, const std::string& digest) {
    *session_ << sql().delete_note_intent, bind(Poco::Int64(issue_id)), bind(digest), now;
}

std::optional<FlapState> StateStore::flap(const std::string& key) {
    Statement st(*session_);
    st << sql().get_flap, bind(key), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return FlapState{as_int(rs, 0), as_int(rs, 1), as_int(rs, 2),
                     as_int(rs, 3), as_int(rs, 4), as_int(rs, 5) != 0};
}

void StateStore::put_flap(const std::string& key, const FlapState& f) {
    *session_ << sql().put_flap, bind(key), bind(Poco::Int64(f.issue_id)),
        bind(Poco::Int64(f.started_at)), bind(Poco::Int64(f.last_change)),
        bind(Poco::Int64(f.recurrences)), bind(Poco::Int64(f.resolutions)),
        bind(Poco::Int64(f.firing ? 1 : 0)), now;
}

std::vector<std::string> StateStore::settled_flaps(int64_t last_change_unix) {
    Statement st(*session_);
    st << sql().settled_flaps, bind(Poco::Int64(last_change_unix)), now;
    RecordSet rs(st);
    std::vector<std::string> out;
    for (size_t row = 0; row < rs.rowCount(); ++row)
        out.push_back(rs.value(0, row).convert<std::string>());
    return out;
}

void StateStore::forget_flap(const std::string& key) {
    *session_ << sql().delete_flap, bind(key), now;
}

void StateStore::put_active_alert(const std::string& key, const std::string& fingerprint,
                                  int64_t priority_id) {
    *session_ << sql().put_active_alert, bind(key), bind(fingerprint),
        bind(Poco::Int64(priority_id)), now;
}

void StateStore::forget_active_alert(const std::string& key, const std::string& fingerprint) {
    *session_ << sql().delete_active_alert, bind(key), bind(fingerprint), now;
}

std::vector<int64_t> StateStore::active_priorities(const std::string& key) {
    Statement st(*session_);
    st << sql().active_priorities, bind(key), now;
    RecordSet rs(st);
    std::vector<int64_t> out;
    for (size_t row = 0; row < rs.rowCount(); ++row)
        out.push_back(rs.value(0, row).convert<Poco::Int64>());
    return out;
}

std::optional<TicketPriority> StateStore::ticket_priority(const std::string& key) {
    Statement st(*session_);
    st << sql().get_ticket_priority, bind(key), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return TicketPriority{as_int(rs, 0), as_int(rs, 1), as_int(rs, 2) != 0};
}

void StateStore::put_ticket_priority(const std::string& key, const TicketPriority& p) {
    *session_ << sql().put_ticket_priority, bind(key), bind(Poco::Int64(p.issue_id)),
        bind(Poco::Int64(p.priority_id)), bind(Poco::Int64(p.by_hand ? 1 : 0)), now;
}

void StateStore::begin_dry_run() { session_->begin(); }

void StateStore::end_dry_run() {
    try {
        session_->rollback();
    } catch (const Poco::Exception&) {
        if (!location_.is_shared()) throw;
        drop_connection();  // nothing of the dry run was committed; the next call reconnects
    }
}

}  // namespace tg::redmine
