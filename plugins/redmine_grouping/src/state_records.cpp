// The records of the state (issues, Roots, episodes, flap windows, applied deliveries, ticket
// priorities), each one statement of the store's dialect (state_sql.hpp).
#include "state_store.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace tg::redmine {

namespace {

int64_t as_int(const RecordSet& rs, size_t col) { return rs.value(col, 0).convert<Poco::Int64>(); }
std::string as_text(const RecordSet& rs, size_t col) {
    return rs.value(col, 0).convert<std::string>();
}

}  // namespace

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

}  // namespace tg::redmine
