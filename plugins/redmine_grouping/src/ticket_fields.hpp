// The fields of a new ticket beyond subject and description: priority (from a label such as
// severity), assignee (user or group, from a label or the route's sink), watchers, category,
// custom fields from templates, private, and the alert key. Names are resolved against Redmine
// once per instance. Redmine silently drops a field its API user may not set (or that is not
// enabled for the project and tracker): what it saved is compared with what was sent, and each
// dropped field is a warning and redmine_ignored_fields_total{field}.
#pragma once

#include "config.hpp"
#include "text.hpp"
#include "tracker.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Object.h>

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

class TicketFields {
  public:
    TicketFields(const Config& config, Tracker& tracker, const TextBuilder& text,
                 const tg::HostServices& host)
        : config_(config), tracker_(tracker), text_(text), host_(host) {}

    // Adds the configured fields to a new issue's `fields`; `key` goes to alert_key_field. A Root
    // gets no priority: Redmine derives a parent's priority from its children.
    void add(Poco::JSON::Object& fields, const TextContext& context, const std::string& key,
             bool root);
    // Compares the issue Redmine answered with what was sent (watchers are read back).
    void check_saved(const Poco::JSON::Object& sent, const Poco::JSON::Object::Ptr& saved);

    // The priority a ticket of `alert` gets (priorities by its priority_label, else priority):
    // the setting it comes from and its name or id; both "" when none is configured.
    std::pair<std::string, std::string> priority_setting(const Alert* alert) const;
    // update_priority: that priority's id (nullopt: none configured, or unknown to Redmine), its
    // rank among Redmine's priorities (higher is more urgent) and its name.
    std::optional<int64_t> priority_id(const Alert& alert);
    int priority_rank(int64_t id);
    std::string priority_name(int64_t id);

    // For `check()`: each configured name that Redmine does not know, as "setting: why".
    std::vector<std::string> unresolved();

    // Logins looked up through /users.json (assignee_label may name any): at most this many
    // are remembered.
    static constexpr size_t kMaxCachedLogins = 512;
    size_t cached_logins() const { return logins_.size(); }

  private:
    std::optional<int64_t> priority(const std::string& ref);
    std::optional<int64_t> principal(const std::string& ref);
    std::optional<int64_t> category(const std::string& ref);
    void load_priorities();
    void load_members();
    void load_categories();
    void ignored(int64_t issue_id, const std::string& field, const std::string& sent,
                 const std::string& saved);

    const Config& config_;
    Tracker& tracker_;
    const TextBuilder& text_;
    const tg::HostServices& host_;
    std::optional<std::map<std::string, int64_t>> priorities_, members_, categories_;
    std::vector<std::pair<int64_t, std::string>> priority_order_;  // Redmine's order: least first
    std::map<std::string, std::optional<int64_t>> logins_;
    std::deque<std::string> login_order_;
};

}  // namespace tg::redmine
