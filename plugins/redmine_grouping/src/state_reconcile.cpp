// reconcile's records: the labels of the firing alerts, and the keys Alertmanager no longer lists.
#include "state_store.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace tg::redmine {

void StateStore::put_alert_labels(const std::string& key, const std::string& labels_json) {
    *session_ << sql().put_alert_labels, bind(key), bind(labels_json), now;
}

std::vector<std::pair<std::string, std::string>> StateStore::firing_alerts() {
    Statement st(*session_);
    st << sql().firing_alerts, now;
    RecordSet rs(st);
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t row = 0; row < rs.rowCount(); ++row)
        out.emplace_back(rs.value(0, row).convert<std::string>(),
                         rs.value(1, row).convert<std::string>());
    return out;
}

std::map<std::string, int64_t> StateStore::missing_since() {
    Statement st(*session_);
    st << sql().all_missing, now;
    RecordSet rs(st);
    std::map<std::string, int64_t> out;
    for (size_t row = 0; row < rs.rowCount(); ++row)
        out[rs.value(0, row).convert<std::string>()] = rs.value(1, row).convert<Poco::Int64>();
    return out;
}

void StateStore::put_missing(const std::string& key, int64_t since_unix) {
    *session_ << sql().put_missing, bind(key), bind(Poco::Int64(since_unix)), now;
}

void StateStore::forget_missing(const std::string& key) {
    *session_ << sql().delete_missing, bind(key), now;
}

}  // namespace tg::redmine
