// What Redmine may silently leave out of the sink's writes that the sink cannot do without, read
// back from its answers. For a user without the right Redmine drops, and still answers 201/204:
// - parent_issue_id without `manage_subtasks` (or when the tracker disables the parent field):
//   the Root tree is the product;
// - tracker_id when the role may not add issues of that tracker (it takes the first it may);
// - the alert_key_field value when the role may not edit that field (5.1.10+ / 6.0.7+ reset it
//   to its default): without it, a rebuild and the lost-answer lookup cannot find the ticket.
// Each is an error naming the permission, never a warning.
#pragma once

#include "config.hpp"

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace tg::redmine {

struct DroppedField {
    std::string field;  // for redmine_ignored_fields_total{field}
    std::string why;
};

// `saved`: the issue of Redmine's answer to the create; `parent` the one sent (0: none).
std::vector<DroppedField> dropped_from_created(const Poco::JSON::Object::Ptr& saved,
                                               const Config& config, const std::string& key,
                                               int64_t parent);
// The issue was read back after a parent_issue_id change and has `saved_parent`.
std::vector<DroppedField> dropped_parent(int64_t issue_id, int64_t parent, int64_t saved_parent,
                                         const Config& config);

}  // namespace tg::redmine
