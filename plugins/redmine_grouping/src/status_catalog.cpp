#include "status_catalog.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Array.h>

namespace tg::redmine {

bool StatusCatalog::issue_closed(const Poco::JSON::Object::Ptr& issue) {
    auto status = issue->getObject("status");
    if (!status) return false;
    if (status->has("is_closed")) return status->getValue<bool>("is_closed");
    return is_closed(status->getValue<Poco::Int64>("id"));
}

void StatusCatalog::load() {
    if (statuses_) return;
    auto answer = tracker_.read("/issue_statuses.json");
    std::map<int64_t, Status> statuses;
    std::vector<int64_t> order;
    if (auto list = answer->getArray("issue_statuses"))
        for (size_t i = 0; i < list->size(); ++i) {
            auto s = list->getObject(static_cast<unsigned>(i));
            const int64_t id = s->getValue<Poco::Int64>("id");
            statuses[id] = {s->optValue<std::string>("name", ""),
                            s->optValue<bool>("is_closed", false)};
            order.push_back(id);
        }
    statuses_ = std::move(statuses);
    order_ = std::move(order);
}

int64_t StatusCatalog::resolve(const StatusRef& ref, const std::string& config_key) {
    if (ref.empty()) throw tg::Drop("redmine_grouping: config key '" + config_key + "' is not set");
    if (ref.id != 0) return ref.id;
    load();
    for (const auto& [id, s] : *statuses_)
        if (s.name == ref.name) return id;
    throw tg::Drop("redmine_grouping: config key '" + config_key +
                   "': Redmine has no status named '" + ref.name + "'");
}

bool StatusCatalog::is_closed(int64_t status_id) {
    load();
    auto it = statuses_->find(status_id);
    return it != statuses_->end() && it->second.closed;
}

std::string StatusCatalog::name(int64_t status_id) {
    load();
    auto it = statuses_->find(status_id);
    return it == statuses_->end() ? "#" + std::to_string(status_id) : it->second.name;
}

int64_t StatusCatalog::reopen_status(int64_t tracker_id) {
    load();
    if (tracker_id == 0) tracker_id = tracker_id_;
    if (!trackers_loaded_) {
        trackers_loaded_ = true;
        auto answer = tracker_.read("/trackers.json");
        if (auto list = answer->getArray("trackers"))
            for (size_t i = 0; i < list->size(); ++i) {
                auto t = list->getObject(static_cast<unsigned>(i));
                if (auto d = t->getObject("default_status"))
                    tracker_default_[t->getValue<Poco::Int64>("id")] =
                        d->getValue<Poco::Int64>("id");
            }
    }
    auto it = tracker_default_.find(tracker_id);
    if (it != tracker_default_.end() && !is_closed(it->second)) return it->second;
    for (int64_t id : order_)
        if (!(*statuses_)[id].closed) return id;
    throw tg::Drop("Redmine has no open issue status to reopen an issue with");
}

}  // namespace tg::redmine
