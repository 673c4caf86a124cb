// Redmine's issue statuses, read once per instance and only when needed: names to ids (the
// configuration may name statuses, e.g. 持ち越し), which ones are closed, the default open one.
#pragma once

#include "config.hpp"
#include "tracker.hpp"

#include <Poco/JSON/Object.h>

#include <map>
#include <optional>
#include <string>

namespace tg::redmine {

class StatusCatalog {
  public:
    StatusCatalog(Tracker& tracker, int64_t tracker_id)
        : tracker_(tracker), tracker_id_(tracker_id) {}

    int64_t resolve(const StatusRef& ref, const std::string& config_key);  // throws tg::Drop
    bool is_closed(int64_t status_id);
    std::string name(int64_t status_id);
    // Where a reopened issue goes: the tracker's default status if it is open, else the first
    // open status.
    int64_t reopen_status(int64_t tracker_id);
    // Whether an issue read from Redmine is closed: Redmine 5.0.4 tells is_closed with the
    // issue's status; older ones need the catalog.
    bool issue_closed(const Poco::JSON::Object::Ptr& issue);

  private:
    struct Status {
        std::string name;
        bool closed = false;
    };
    void load();
    Tracker& tracker_;
    int64_t tracker_id_;
    std::optional<std::map<int64_t, Status>> statuses_;
    std::vector<int64_t> order_;
    std::map<int64_t, int64_t> tracker_default_;
    bool trackers_loaded_ = false;
};

}  // namespace tg::redmine
