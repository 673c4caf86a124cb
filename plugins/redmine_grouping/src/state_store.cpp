#include "state_store.hpp"

#include "state_sql.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>

#include <filesystem>
#include <mutex>

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace tg::redmine {

namespace {
const StateSql& sql() { return sqlite_sql(); }

int64_t as_int(const RecordSet& rs, size_t col) { return rs.value(col, 0).convert<Poco::Int64>(); }
std::string as_text(const RecordSet& rs, size_t col) {
    return rs.value(col, 0).convert<std::string>();
}
}  // namespace

StateStore::StateStore(std::string path) : path_(std::move(path)) {
    static std::once_flag registered;
    std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    open();
}

void StateStore::open() {
    session_ = std::make_unique<Poco::Data::Session>("SQLite", path_);
    for (const auto& s : sql().open) *session_ << s, now;
    for (const auto& s : sql().schema) *session_ << s, now;
}

void StateStore::reopen_if_deleted() {
    std::error_code ec;
    if (std::filesystem::exists(path_, ec) || ec) return;
    session_.reset();
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ec);
    open();
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

void StateStore::savepoint(const std::string& name) { *session_ << sql().savepoint + name, now; }
void StateStore::release(const std::string& name) { *session_ << sql().release + name, now; }
void StateStore::rollback_to(const std::string& name) {
    *session_ << sql().rollback_to + name, now;
}

}  // namespace tg::redmine
