// max_children's records: the hosts listed on a Root instead of a ticket, and its batch notes.
#include "state_store.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace tg::redmine {

namespace {

ListedRecord listed_at(const RecordSet& rs, size_t row) {
    return ListedRecord{
        rs.value(0, row).convert<Poco::Int64>(), rs.value(1, row).convert<std::string>(),
        rs.value(2, row).convert<std::string>(), rs.value(3, row).convert<Poco::Int64>() != 0,
        rs.value(4, row).convert<Poco::Int64>()};
}

}  // namespace

int64_t StateStore::count_of(const std::string& statement, int64_t id) {
    Poco::Int64 n = 0;
    *session_ << statement, bind(Poco::Int64(id)), into(n), now;
    return n;
}

std::optional<ListedRecord> StateStore::listed(const std::string& key) {
    Statement st(*session_);
    st << sql().get_listed, bind(key), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return listed_at(rs, 0);
}

void StateStore::put_listed(const std::string& key, const ListedRecord& r, int64_t now_unix) {
    *session_ << sql().put_listed, bind(key), bind(r.root_key), bind(Poco::Int64(r.root_id)),
        bind(r.host), bind(Poco::Int64(r.firing ? 1 : 0)), bind(Poco::Int64(r.pending)),
        bind(Poco::Int64(now_unix)), now;
}

void StateStore::forget_listed(const std::string& key) {
    *session_ << sql().delete_listed, bind(key), now;
}

int64_t StateStore::listed_firing(int64_t root_id, const std::string& except_key) {
    Poco::Int64 n = 0;
    *session_ << sql().listed_firing, bind(Poco::Int64(root_id)), bind(except_key), into(n), now;
    return n;
}

std::vector<ListedRecord> StateStore::pending_listed(int64_t root_id) {
    Statement st(*session_);
    st << sql().pending_listed, bind(Poco::Int64(root_id)), now;
    RecordSet rs(st);
    std::vector<ListedRecord> out;
    for (size_t row = 0; row < rs.rowCount(); ++row) out.push_back(listed_at(rs, row));
    return out;
}

void StateStore::clear_pending(int64_t root_id) {
    *session_ << sql().clear_pending, bind(Poco::Int64(root_id)), now;
}

std::vector<std::pair<int64_t, std::string>> StateStore::pending_roots() {
    Statement st(*session_);
    st << sql().pending_roots, now;
    RecordSet rs(st);
    std::vector<std::pair<int64_t, std::string>> out;
    for (size_t row = 0; row < rs.rowCount(); ++row)
        out.emplace_back(rs.value(0, row).convert<Poco::Int64>(),
                         rs.value(1, row).convert<std::string>());
    return out;
}

int64_t StateStore::root_tickets(int64_t root_id) { return count_of(sql().root_tickets, root_id); }

int64_t StateStore::firing_tickets(int64_t root_id) {
    return count_of(sql().firing_tickets, root_id);
}

std::optional<int64_t> StateStore::last_batch(int64_t root_id) {
    Statement st(*session_);
    st << sql().get_last_batch, bind(Poco::Int64(root_id)), now;
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return rs.value(0, 0).convert<Poco::Int64>();
}

void StateStore::put_last_batch(int64_t root_id, int64_t now_unix) {
    *session_ << sql().put_last_batch, bind(Poco::Int64(root_id)), bind(Poco::Int64(now_unix)), now;
}

}  // namespace tg::redmine
