// --check-config for the Redmine sink: before the first alert, every problem it can see is one
// line naming the setting or the permission to fix: the key, the project and tracker, the names
// of fields, the statuses in the workflow (on a leaf issue: a parent with open subtasks hides
// its closed statuses), the key field on the project's issues, and the permissions of the API
// user's roles in the project (a bot is not an administrator, and Redmine drops what a role may
// not set without an error, see tree_readback.hpp).
#pragma once

#include "config.hpp"
#include "status_catalog.hpp"
#include "text_format.hpp"
#include "ticket_fields.hpp"
#include "tracker.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Object.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tg::redmine {

class ConfigCheck {
  public:
    ConfigCheck(const Config& config, Tracker& tracker, StatusCatalog& statuses,
                TicketFields& fields, TextFormatting& formats, const tg::HostServices& host)
        : config_(config),
          tracker_(tracker),
          statuses_(statuses),
          fields_(fields),
          formats_(formats),
          host_(host) {}

    bool run();

    // The permissions the sink's writes need, for this configuration.
    static std::vector<std::string> required_permissions(const Config& config);

  private:
    void problem(const std::string& what);
    Poco::JSON::Object::Ptr project();
    void tracker(const Poco::JSON::Object::Ptr& project);
    void permissions(const Poco::JSON::Object::Ptr& project);
    std::set<std::string> role_permissions(const Poco::JSON::Array::Ptr& roles, std::string& names);
    std::vector<std::pair<int64_t, std::string>> target_statuses();
    void leaf_issue(const std::vector<std::pair<int64_t, std::string>>& targets);

    const Config& config_;
    Tracker& tracker_;
    StatusCatalog& statuses_;
    TicketFields& fields_;
    TextFormatting& formats_;
    const tg::HostServices& host_;
    Poco::JSON::Object::Ptr user_;
    bool ok_ = true;
};

}  // namespace tg::redmine
