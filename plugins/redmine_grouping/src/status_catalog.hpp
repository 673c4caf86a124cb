// Redmine's issue statuses, read once per instance and only when needed: names to ids (the
// configuration may name statuses, e.g. 持ち越し), which ones are closed, the default open one.
// What is read is the instance's, shared by its delivery lanes (learned.hpp); each reads it
// with its own tracker, as the first to need it.
#pragma once

#include "config.hpp"
#include "learned.hpp"
#include "tracker.hpp"

#include <Poco/JSON/Object.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tg::redmine {

class StatusCatalog {
  public:
    struct Status {
        std::string name;
        bool closed = false;
    };
    struct Statuses {
        std::map<int64_t, Status> by_id;
        std::vector<int64_t> order;  // Redmine's
    };
    using TrackerDefaults = std::map<int64_t, int64_t>;  // tracker id to its default status
    // What the lanes of a sink learn of Redmine's statuses and trackers, once for all of them.
    struct Shared {
        Learned<Statuses> statuses;
        Learned<TrackerDefaults> tracker_defaults;
    };

    // `shared`: what the lanes of the sink learn together; by default, this catalog's own.
    StatusCatalog(Tracker& tracker, int64_t tracker_id,
                  std::shared_ptr<Shared> shared = std::make_shared<Shared>())
        : tracker_(tracker), tracker_id_(tracker_id), shared_(std::move(shared)) {}

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
    const Statuses& statuses();
    const TrackerDefaults& tracker_defaults();
    Tracker& tracker_;
    int64_t tracker_id_;
    std::shared_ptr<Shared> shared_;
    // Once learned, kept at hand: the shared record never changes after.
    const Statuses* statuses_ = nullptr;
    const TrackerDefaults* tracker_defaults_ = nullptr;
};

}  // namespace tg::redmine
