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

const StatusCatalog::Statuses& StatusCatalog::statuses() {
    if (statuses_) return *statuses_;
    statuses_ = &shared_->statuses.get_or_load([this] {
        auto answer = tracker_.read("/issue_statuses.json");
        Statuses out;
        if (auto list = answer->getArray("issue_statuses"))
            for (size_t i = 0; i < list->size(); ++i) {
                auto s = list->getObject(static_cast<unsigned>(i));
                const int64_t id = s->getValue<Poco::Int64>("id");
                out.by_id[id] = {s->optValue<std::string>("name", ""),
                                 s->optValue<bool>("is_closed", false)};
                out.order.push_back(id);
            }
        return out;
    });
    return *statuses_;
}

const StatusCatalog::TrackerDefaults& StatusCatalog::tracker_defaults() {
    if (tracker_defaults_) return *tracker_defaults_;
    tracker_defaults_ = &shared_->tracker_defaults.get_or_load([this] {
        auto answer = tracker_.read("/trackers.json");
        TrackerDefaults out;
        if (auto list = answer->getArray("trackers"))
            for (size_t i = 0; i < list->size(); ++i) {
                auto t = list->getObject(static_cast<unsigned>(i));
                if (auto d = t->getObject("default_status"))
                    out[t->getValue<Poco::Int64>("id")] = d->getValue<Poco::Int64>("id");
            }
        return out;
    });
    return *tracker_defaults_;
}

int64_t StatusCatalog::resolve(const StatusRef& ref, const std::string& config_key) {
    if (ref.empty()) throw tg::Drop("redmine_grouping: config key '" + config_key + "' is not set");
    if (ref.id != 0) return ref.id;
    for (const auto& [id, s] : statuses().by_id)
        if (s.name == ref.name) return id;
    throw tg::Drop("redmine_grouping: config key '" + config_key +
                   "': Redmine has no status named '" + ref.name + "'");
}

bool StatusCatalog::is_closed(int64_t status_id) {
    const auto& by_id = statuses().by_id;
    auto it = by_id.find(status_id);
    return it != by_id.end() && it->second.closed;
}

std::string StatusCatalog::name(int64_t status_id) {
    const auto& by_id = statuses().by_id;
    auto it = by_id.find(status_id);
    return it == by_id.end() ? "#" + std::to_string(status_id) : it->second.name;
}

int64_t StatusCatalog::reopen_status(int64_t tracker_id) {
    const Statuses& known = statuses();
    if (tracker_id == 0) tracker_id = tracker_id_;
    const TrackerDefaults& defaults = tracker_defaults();
    auto it = defaults.find(tracker_id);
    if (it != defaults.end() && !is_closed(it->second)) return it->second;
    for (int64_t id : known.order)
        if (!known.by_id.at(id).closed) return id;
    throw tg::Drop("Redmine has no open issue status to reopen an issue with");
}

}  // namespace tg::redmine
