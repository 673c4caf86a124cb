// The fields of a new ticket beyond subject and description: priority (from a label such as
// severity), assignee (user or group, from a label or the route's sink), watchers, category,
// custom fields from templates, private, and the alert key. Names are resolved against Redmine
// once per instance. Redmine silently drops a field its API user may not set (or that is not
// enabled for the project and tracker): what it saved is compared with what was sent, and each
// dropped field is a warning and redmine_ignored_fields_total{field}. The names are the sink
// instance's, shared by its delivery lanes (learned.hpp, login_cache.hpp): each looks up with
// its own tracker what no lane has yet.
#pragma once

#include "config.hpp"
#include "learned.hpp"
#include "login_cache.hpp"
#include "text.hpp"
#include "tracker.hpp"

#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Object.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

class TicketFields {
  public:
    // Logins looked up through /users.json (assignee_label may name any): at most this many
    // are remembered.
    static constexpr size_t kMaxCachedLogins = 512;

    using Names = std::map<std::string, int64_t>;
    struct Priorities {
        Names ids;
        std::vector<std::pair<int64_t, std::string>> order;  // Redmine's order: least first
    };
    // What the lanes of a sink learn of Redmine's names, once for all of them.
    struct Shared {
        Learned<Priorities> priorities;
        Learned<Names> members, categories;  // user and group names; category names
        LoginCache logins{kMaxCachedLogins};
    };

    // `shared`: what the lanes of the sink learn together; by default, these fields' own.
    TicketFields(const Config& config, Tracker& tracker, const TextBuilder& text,
                 const tg::HostServices& host,
                 std::shared_ptr<Shared> shared = std::make_shared<Shared>())
        : config_(config),
          tracker_(tracker),
          text_(text),
          host_(host),
          shared_(std::move(shared)) {}

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

    size_t cached_logins() const { return shared_->logins.size(); }

  private:
    std::optional<int64_t> priority(const std::string& ref);
    std::optional<int64_t> principal(const std::string& ref);
    std::optional<int64_t> category(const std::string& ref);
    const Priorities& priorities();
    const Names& members();
    const Names& categories();
    std::optional<int64_t> find_login(const std::string& login);
    void ignored(int64_t issue_id, const std::string& field, const std::string& sent,
                 const std::string& saved);

    const Config& config_;
    Tracker& tracker_;
    const TextBuilder& text_;
    const tg::HostServices& host_;
    std::shared_ptr<Shared> shared_;
    // Once learned, kept at hand: the shared records never change after.
    const Priorities* priorities_ = nullptr;
    const Names* members_ = nullptr;
    const Names* categories_ = nullptr;
};

}  // namespace tg::redmine
