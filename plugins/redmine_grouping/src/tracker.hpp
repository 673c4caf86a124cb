// What the sink asks of its issue tracker, as operations rather than REST paths: RedmineClient
// is the real one (one request each), and tests/redmine_grouping/fake_tracker.hpp keeps issues
// in memory to inject what a real Redmine does only by accident (a lost answer, a field it
// ignores, an issue a person closed meanwhile).
//
// Every call throws tg::RetryLater (outage, timeout, 5xx: worth another try) or tg::Drop (the
// tracker refused it). Issues travel as Redmine's issue JSON (issue_json.hpp reads it).
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tg::redmine {

// What a read of one issue brings beside its fields.
enum class IssueDetail { plain, journals, allowed_statuses, watchers };

// One page of a project's issues. Filters are Redmine's, by name, with values as Redmine reads
// them ("*", "open", "!*", "=text", ">=2026-12-03T09:00:00Z"); the tracker encodes them.
struct IssueQuery {
    std::string project;
    std::vector<std::pair<std::string, std::string>> filters;
    bool newest_first = true;  // by id
    int limit = 100;
    int64_t offset = 0;
};

struct IssueList {
    Poco::JSON::Array::Ptr issues;  // never null
    int64_t total_count = 0;
};

// A value percent-encoded for a path or query given to Tracker::read.
std::string url_encoded(std::string_view value);

class Tracker {
  public:
    virtual ~Tracker() = default;

    // The issue, or nullptr when the tracker has none of that id (deleted, or never visible).
    virtual Poco::JSON::Object::Ptr find_issue(int64_t id, IssueDetail detail) = 0;
    // Creates an issue of `fields` (Redmine's issue attributes) and returns it as saved: with
    // its id, and without what the tracker silently left out. `summary` names the write in
    // logs and dry runs.
    virtual Poco::JSON::Object::Ptr create_issue(const Poco::JSON::Object& fields,
                                                 const std::string& summary) = 0;
    // Sets `fields` (notes among them) on an issue. Redmine answers nothing: what it ignored
    // only a read shows.
    virtual void update_issue(int64_t id, const Poco::JSON::Object& fields,
                              const std::string& summary) = 0;
    virtual IssueList search_issues(const IssueQuery& query) = 0;
    // What the sink reads beside issues: catalogs (statuses, trackers, enumerations, custom
    // fields, users, memberships), as Redmine's REST path and query, e.g. "/trackers.json".
    virtual Poco::JSON::Object::Ptr read(const std::string& path) = 0;
    // A page the tracker renders for the sink's user (text_format.hpp).
    virtual std::string read_page(const std::string& path) = 0;
    // In a dry run writes are only described, and reads still go to the tracker.
    virtual bool dry_run() const = 0;

    // find_issue, for an issue that must exist: its absence throws tg::Drop.
    Poco::JSON::Object::Ptr issue(int64_t id, IssueDetail detail = IssueDetail::plain);
    // Every page of `query` from its offset, each issue given to `each` until it returns false.
    void each_issue(IssueQuery query,
                    const std::function<bool(const Poco::JSON::Object::Ptr&)>& each);
};

}  // namespace tg::redmine
