#include "tree_readback.hpp"

#include "issue_json.hpp"

namespace tg::redmine {

std::vector<DroppedField> dropped_parent(int64_t issue_id, int64_t parent, int64_t saved_parent,
                                         const Config& config) {
    if (saved_parent == parent) return {};
    const std::string wanted = parent ? "parent #" + std::to_string(parent) : "no parent";
    return {{"parent_issue_id",
             "issue #" + std::to_string(issue_id) + ": Redmine kept " +
                 (saved_parent ? "parent #" + std::to_string(saved_parent) : "no parent") +
                 " instead of " + wanted +
                 " (parent_issue_id): the API user lacks the permission manage_subtasks "
                 "(\"Manage subtasks\") in project '" +
                 config.project +
                 "', or the tracker disables the parent field; the Root tree is incomplete"}};
}

std::vector<DroppedField> dropped_from_created(const Poco::JSON::Object::Ptr& saved,
                                               const Config& config, const std::string& key,
                                               int64_t parent) {
    const int64_t id = saved->getValue<Poco::Int64>("id");
    std::vector<DroppedField> out = dropped_parent(id, parent, parent_of(saved), config);
    const int64_t tracker = id_in(saved, "tracker");
    if (config.tracker_id != 0 && tracker != 0 && tracker != config.tracker_id)
        out.push_back({"tracker_id", "issue #" + std::to_string(id) +
                                         ": Redmine created it in tracker #" +
                                         std::to_string(tracker) + " instead of #" +
                                         std::to_string(config.tracker_id) +
                                         " (tracker_id): the API user's role may not add issues "
                                         "of that tracker (its permissions for trackers)"});
    if (config.alert_key_field != 0 && custom_value(saved, config.alert_key_field) != key)
        out.push_back(
            {"custom_fields." + std::to_string(config.alert_key_field),
             "issue #" + std::to_string(id) + ": Redmine did not keep the alert key in custom " +
                 "field #" + std::to_string(config.alert_key_field) +
                 " (alert_key_field): the field is not enabled for the project and tracker, "
                 "not visible to the API user's role, or read-only in its workflow; a lost "
                 "state could not find this ticket again"});
    return out;
}

}  // namespace tg::redmine
